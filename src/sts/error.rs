//! Failures of credential resolution and of STS calls, explained in plain words.
//!
//! The SDK's errors name the layer that failed; users need the cause and the next step. Every
//! message here is built from error codes, HTTP statuses and the SDK's own messages, none of
//! which carry a secret.

use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use crate::config::AwsConfig;
use crate::profile::Base;

/// Why the credentials of a profile could not be had.
pub fn credentials(
    error: &CredentialsError,
    config: &AwsConfig,
    profile: &str,
    base: Option<&Base>,
) -> String {
    let detail = causes(error);
    let lower = detail.to_lowercase();

    // A configuration error is about the files, whatever the kind of the profile.
    let configuration = matches!(error, CredentialsError::InvalidConfiguration(_));

    // SSO: the token the CLI caches at `aws sso login` is missing, expired or unrefreshable.
    if let Some(Base::Sso { profile: sso_profile }) = base.filter(|_| !configuration) {
        let login = sso_login_command(config, sso_profile);
        return format!(
            "the SSO sign-in for profile '{profile}' is missing or expired: run `{login}`, then try again\n(the SDK said: {detail})"
        );
    }
    if let Some(Base::Process { profile: process_profile }) = base.filter(|_| !configuration) {
        return format!(
            "the credential_process of profile '{process_profile}' failed: fix the command or its sign-in, then try again\n(the SDK said: {detail})"
        );
    }
    if matches!(error, CredentialsError::CredentialsNotLoaded(_))
        || lower.contains("no credentials")
    {
        return format!(
            "no credentials were found for profile '{profile}': add keys, a role or a credential_process to it\n(the SDK said: {detail})"
        );
    }
    if matches!(error, CredentialsError::ProviderTimedOut(_)) {
        return format!(
            "getting the credentials of profile '{profile}' took too long: check the network, or raise --timeout"
        );
    }
    format!("could not get the credentials of profile '{profile}': {detail}")
}

/// The messages of an error and its sources, each once, joined by `: `. The SDK's own
/// rendering adds `Debug` dumps of every layer, which helps nobody at a terminal.
pub fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        let text = current.to_string();
        if !parts.iter().any(|seen| seen.contains(&text)) {
            parts.push(text);
        }
        next = current.source();
    }
    parts.join(": ")
}

/// The `aws sso login` command that renews the token a profile's SSO sign-in uses.
pub fn sso_login_command(config: &AwsConfig, profile: &str) -> String {
    let session = config.profiles.get(profile).and_then(|s| s.get("sso_session"));
    match session {
        Some(session) => format!("aws sso login --sso-session {session}"),
        None => format!("aws sso login --profile {profile}"),
    }
}

/// Why a call to STS at `endpoint` failed.
pub fn call<E, R>(
    error: &SdkError<E, R>,
    operation: &str,
    endpoint: &str,
    timeout: Duration,
) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HttpStatus + 'static,
{
    let seconds = timeout.as_secs_f64();
    match error {
        SdkError::TimeoutError(_) => format!(
            "STS at {endpoint} did not answer {operation} within {seconds} s: check the network or VPN, or raise --timeout"
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => format!(
            "STS at {endpoint} did not answer {operation} within {seconds} s: check the network or VPN, or raise --timeout"
        ),
        SdkError::DispatchFailure(_) => format!(
            "could not reach STS at {endpoint}: there is no network, or the endpoint is wrong ({})",
            causes(error)
        ),
        SdkError::ServiceError(context) => {
            let status = context.raw().status();
            rejected(context.err().code(), context.err().message(), status, operation)
        }
        SdkError::ResponseError(context) => {
            let status = context.raw().status();
            rejected(None, None, status, operation)
        }
        _ => format!("the {operation} call to STS at {endpoint} failed: {}", causes(error)),
    }
}

/// The HTTP status of a raw response, so that [`call`] works for any operation's error.
pub trait HttpStatus {
    fn status(&self) -> u16;
}

impl HttpStatus for aws_sdk_sts::config::http::HttpResponse {
    fn status(&self) -> u16 {
        self.status().as_u16()
    }
}

fn rejected(code: Option<&str>, message: Option<&str>, status: u16, operation: &str) -> String {
    let said = match (code, message) {
        (Some(code), Some(message)) if !code.is_empty() => format!(" ({code}: {message})"),
        (Some(code), _) if !code.is_empty() => format!(" ({code})"),
        (_, Some(message)) if !message.is_empty() => format!(" ({message})"),
        _ => format!(" (HTTP {status})"),
    };
    match code.unwrap_or_default() {
        "ExpiredToken" | "ExpiredTokenException" => {
            format!("STS says the credentials have expired{said}: sign in again or switch anew")
        }
        "AccessDenied" | "AccessDeniedException" => format!(
            "STS denied {operation}{said}: the credentials work, but this identity may not do that; check the role's trust policy and the MFA code"
        ),
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
            format!(
                "STS rejected the credentials{said}: the access key is unknown, deactivated or its secret is wrong; renew the keys"
            )
        }
        // Some STS stand-ins answer a bad signature with a bare 403 and no error code.
        _ if status == 403 => format!(
            "STS rejected the credentials{said}: the access key is unknown, deactivated or its secret is wrong, or the request is not allowed; renew the keys"
        ),
        _ => format!("STS refused {operation}{said}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_forbidden_still_says_what_to_do() {
        let message = rejected(Some(""), None, 403, "GetCallerIdentity");

        assert!(message.contains("rejected the credentials"), "{message}");
        assert!(message.contains("HTTP 403"), "{message}");
        assert!(message.contains("renew the keys"), "{message}");
    }

    #[test]
    fn known_codes_are_named() {
        let expired = rejected(Some("ExpiredToken"), Some("gone"), 400, "GetCallerIdentity");
        let denied = rejected(Some("AccessDenied"), None, 403, "AssumeRole");

        assert!(expired.contains("expired") && expired.contains("ExpiredToken: gone"));
        assert!(denied.contains("denied AssumeRole"));
    }

    #[test]
    fn sso_login_names_the_session_or_the_profile() {
        let config = crate::config::from_strings(
            "[profile a]\nsso_session = corp\n[profile b]\nsso_start_url = https://x\n",
            "",
        )
        .unwrap();

        assert_eq!(sso_login_command(&config, "a"), "aws sso login --sso-session corp");
        assert_eq!(sso_login_command(&config, "b"), "aws sso login --profile b");
    }
}
