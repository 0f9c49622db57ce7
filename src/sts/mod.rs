//! Talking to AWS STS: asking who a profile's credentials belong to (`GetCallerIdentity`) and
//! assuming roles that need an MFA code (`AssumeRole`), which `aws-config` cannot do.
//!
//! Nothing here runs unless a command validates or switches to an MFA role: the tokio runtime
//! and the SDK clients are built inside these functions, on a single thread, and dropped when
//! they return, so that `list`, a plain `use`, the prompt and completion never pay for them.
//!
//! Credentials are resolved by `aws-config` from the AWS files awsuse located (never from keys
//! that happen to be in the environment, which would hide the profile's own). `aws-config`
//! reads other settings (`AWS_CA_BUNDLE`, the SSO token cache) from the process environment,
//! which is the environment awsuse runs in.

pub mod endpoint;
pub mod error;
pub mod mfa;

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Result, anyhow};
use aws_config::BehaviorVersion;
use aws_config::profile::ProfileFileCredentialsProvider;
#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sts::config::{Region, SharedHttpClient};

use crate::config::{AwsConfig, Location};
use crate::env::Env;
use crate::partition;
use crate::profile::Profile;
use crate::state::Identity;
use crate::switch::ExportedKeys;

pub use endpoint::StsEndpoint;

/// How long a validation or role assumption may take when the user does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// What the user asked for on the command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// The whole exchange with STS (and SSO, and a credential process) gives up after this.
    pub timeout: Duration,
    /// The MFA codes given with `--mfa-token`, one for each role of the chain that needs one,
    /// in the order they are assumed; asked for on the terminal when there are none.
    pub mfa_tokens: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self { timeout: DEFAULT_TIMEOUT, mfa_tokens: Vec::new() }
    }
}

/// Everything a call needs to know about the profile and the files it came from.
pub struct Target<'a> {
    pub env: &'a Env,
    pub config: &'a AwsConfig,
    pub location: &'a Location,
    pub profile: &'a Profile,
    /// Seconds since the epoch.
    pub now: u64,
}

/// Resolves the profile's credentials with `aws-config` and asks STS whose they are.
pub fn validate_profile(target: &Target<'_>, options: &Options) -> Result<Identity> {
    let profile = target.profile;
    let region = &profile.region.name;
    let endpoint = endpoint::resolve(target.env, target.config, Some(&profile.name), region);
    log::debug!("sts endpoint {} ({})", endpoint.url, endpoint.source);

    let setup = Setup::new(target.location, region, options.timeout);
    let base = profile.chain.as_ref().map(|c| &c.base);
    run(&format!("checking profile {} with STS", profile.name), options.timeout, async {
        let credentials = setup
            .profile_credentials(&profile.name)
            .await
            .map_err(|e| anyhow!(error::credentials(&e, target.config, &profile.name, base)))?;
        setup.caller_identity(&endpoint, credentials).await
    })
}

/// Asks STS whose `keys` are, at the STS endpoint of `region` (and any configured endpoint
/// of `profile`, when the keys came from one).
pub fn validate_keys(
    env: &Env,
    config: &AwsConfig,
    location: &Location,
    profile: Option<&str>,
    region: &str,
    keys: &ExportedKeys,
    options: &Options,
) -> Result<Identity> {
    let endpoint = endpoint::resolve(env, config, profile, region);
    log::debug!("sts endpoint {} ({})", endpoint.url, endpoint.source);

    let setup = Setup::new(location, region, options.timeout);
    let credentials = Credentials::new(
        &keys.access_key_id,
        &keys.secret_access_key,
        keys.session_token.clone(),
        None,
        "awsuse",
    );
    run(
        "checking the keys with STS",
        options.timeout,
        setup.caller_identity(&endpoint, credentials),
    )
}

/// The SDK pieces shared by the calls of one command.
struct Setup {
    http: SharedHttpClient,
    region: Region,
    timeouts: TimeoutConfig,
    #[allow(deprecated)]
    files: ProfileFiles,
    provider_config: ProviderConfig,
}

impl Setup {
    fn new(location: &Location, region: &str, timeout: Duration) -> Self {
        // One rustls client with ring, shared by aws-config's providers and the STS client.
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let region = Region::new(region.to_owned());
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(timeout)
            .operation_attempt_timeout(timeout)
            .operation_timeout(timeout)
            .build();

        // The files awsuse located, and no others, so that the SDK sees what the user sees.
        // A file named explicitly must exist for aws-config, so a missing one is left out,
        // as the SDKs treat a missing default file.
        #[allow(deprecated)]
        let mut files = ProfileFiles::builder()
            .include_default_config_file(false)
            .include_default_credentials_file(false);
        #[allow(deprecated)]
        for (kind, path) in [
            (ProfileFileKind::Config, &location.config),
            (ProfileFileKind::Credentials, &location.credentials),
        ] {
            if path.is_file() {
                files = files.with_file(kind, path);
            }
        }
        let files = files.build();
        let provider_config = ProviderConfig::without_region()
            .with_region(Some(region.clone()))
            .with_http_client(http.clone())
            .with_behavior_version(Some(BehaviorVersion::latest()))
            .with_timeout_config(timeouts.clone())
            .with_retry_config(retries());
        Self { http, region, timeouts, files, provider_config }
    }

    async fn profile_credentials(
        &self,
        name: &str,
    ) -> Result<Credentials, aws_credential_types::provider::error::CredentialsError> {
        let provider = ProfileFileCredentialsProvider::builder()
            .configure(&self.provider_config)
            .profile_files(self.files.clone())
            .profile_name(name)
            .build();
        provider.provide_credentials().await
    }

    fn sts_client(&self, endpoint: &StsEndpoint, credentials: Credentials) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(self.region.clone())
            .endpoint_url(&endpoint.url)
            .credentials_provider(credentials)
            .http_client(self.http.clone())
            .timeout_config(self.timeouts.clone())
            .retry_config(retries())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    async fn caller_identity(
        &self,
        endpoint: &StsEndpoint,
        credentials: Credentials,
    ) -> Result<Identity> {
        let timeout = self.timeouts.operation_timeout().unwrap_or(DEFAULT_TIMEOUT);
        let client = self.sts_client(endpoint, credentials);
        let output =
            client.get_caller_identity().send().await.map_err(|e| {
                anyhow!(error::call(&e, "GetCallerIdentity", &endpoint.url, timeout))
            })?;

        let arn = output.arn().unwrap_or_default().to_owned();
        let account_id = output.account().unwrap_or_default().to_owned();
        Ok(Identity { partition: partition_of(&arn, self.region.as_ref()), account_id, arn })
    }
}

/// One retry, for a dropped connection; a second retry would mostly delay a clear error.
fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(2)
}

/// The partition field of an ARN, else the partition of the region.
fn partition_of(arn: &str, region: &str) -> String {
    match arn.split(':').nth(1).filter(|p| !p.is_empty()) {
        Some(partition) if arn.starts_with("arn:") => partition.to_owned(),
        _ => partition::resolve(region).id.to_owned(),
    }
}

/// Runs `work` on a current-thread runtime built for it, giving up after `timeout`, with a
/// progress indicator on a terminal.
fn run<T>(doing: &str, timeout: Duration, work: impl Future<Output = Result<T>>) -> Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("could not start the network runtime: {e}"))?;
    let _spinner = Spinner::start(doing);

    // A credential_process or an SSO refresh is not covered by the SDK's own timeouts.
    let seconds = timeout.as_secs_f64();
    runtime.block_on(async {
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(anyhow!(
                "gave up after {seconds} s {doing}: check the network or VPN, or raise --timeout"
            )),
        }
    })
}

/// A line on standard error that moves while STS is asked, when someone watches it.
struct Spinner {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    fn start(doing: &str) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Self { done, thread: None };
        }
        let (flag, text) = (done.clone(), doing.to_owned());
        let thread = std::thread::spawn(move || {
            let frames = ['|', '/', '-', '\\'];
            let mut i = 0;
            while !flag.load(Ordering::Relaxed) {
                eprint!("\r{} {text}...", frames[i % frames.len()]);
                let _ = std::io::stderr().flush();
                i += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            eprint!("\r\x1b[2K");
        });
        Self { done, thread: Some(thread) }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::partition_of;

    #[test]
    fn partition_comes_from_the_arn_first() {
        assert_eq!(partition_of("arn:aws-cn:iam::1:user/x", "us-east-1"), "aws-cn");
        assert_eq!(partition_of("", "us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("garbage", "eu-west-1"), "aws");
    }
}
