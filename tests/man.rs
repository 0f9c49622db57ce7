//! The committed man page is the one the clap definitions give. Run with AWSUSE_UPDATE_MAN=1
//! to rewrite it after changing a help text.

use std::path::Path;

#[test]
fn committed_man_page_is_current() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_awsuse"))
        .arg("__man")
        .output()
        .expect("run awsuse __man");
    assert!(output.status.success());
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/awsuse.1");

    if std::env::var_os("AWSUSE_UPDATE_MAN").is_some() {
        std::fs::write(&page, &output.stdout).expect("write man/awsuse.1");
        return;
    }
    let committed = std::fs::read(&page).unwrap_or_default();
    assert!(
        committed == output.stdout,
        "man/awsuse.1 is stale: run AWSUSE_UPDATE_MAN=1 cargo test --test man and commit it"
    );
    let text = String::from_utf8_lossy(&committed);
    for section in
        ["EXIT STATUS", "ENVIRONMENT", "FILES", "awsuse choose", "Example:", "mfa\\-token"]
    {
        assert!(text.contains(section), "{section} missing from the man page");
    }
}
