//! The state file under many processes at once: no update is lost, and a process killed at
//! any moment leaves a readable file holding every update that completed.
//!
//! Each test re-runs its own test binary as the child processes, told apart by an
//! environment variable given to the child only.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use awsuse::state::StateStore;

/// Set in a child's environment to its number; the state directory comes in `DIR_VAR`.
const CHILD_VAR: &str = "AWSUSE_TEST_STATE_CHILD";
const DIR_VAR: &str = "AWSUSE_TEST_STATE_DIR";

/// A child that runs longer than this is taken to be stuck (a deadlock, say).
const CHILD_DEADLINE: Duration = Duration::from_secs(60);

/// The child's number and state directory when this process is a child.
fn child_role() -> Option<(usize, PathBuf)> {
    let index = std::env::var(CHILD_VAR).ok()?.parse().ok()?;
    let dir = std::env::var_os(DIR_VAR)?;
    Some((index, PathBuf::from(dir)))
}

fn spawn_child(test: &str, index: usize, dir: &Path) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    Command::new(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1", "--quiet"])
        .env(CHILD_VAR, index.to_string())
        .env(DIR_VAR, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("could not start a child process")
}

/// Collects the child's `done NAME` lines on a thread of its own, so that a child never
/// blocks on a full pipe.
fn collect_done(child: &mut Child) -> thread::JoinHandle<Vec<String>> {
    let stdout = child.stdout.take().expect("piped stdout");
    thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter_map(|line| line.strip_prefix("done ").map(str::to_owned))
            .collect()
    })
}

fn wait_with_deadline(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("could not wait for a child") {
            return status;
        }
        if start.elapsed() > CHILD_DEADLINE {
            let _ = child.kill();
            panic!("a child ran for more than {CHILD_DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// A small xorshift generator: kill times need only vary, and a printed seed replays them.
struct Rng(u64);

impl Rng {
    fn from_clock() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
        Self((nanos ^ u64::from(std::process::id())) | 1)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

const CHILDREN: usize = 8;
const USES_PER_CHILD: usize = 200;
const NAMES_PER_CHILD: usize = 20;

#[test]
fn concurrent_processes_lose_no_update() {
    if let Some((index, dir)) = child_role() {
        let store = StateStore::new(dir);
        for i in 0..USES_PER_CHILD {
            let name = format!("p{index}-{}", i % NAMES_PER_CHILD);
            let warning = store.record_use(&name, 1_000 + i as u64).expect("an update failed");
            assert!(warning.is_none(), "unexpected warning: {}", warning.unwrap());
        }
        return;
    }

    // All children start at once and contend for the same file.
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("state");
    let mut children: Vec<Child> = (0..CHILDREN)
        .map(|index| spawn_child("concurrent_processes_lose_no_update", index, &dir))
        .collect();
    for child in &mut children {
        assert!(wait_with_deadline(child).success(), "a child failed");
    }

    // Every name is there with exactly the uses that were made of it.
    let (recents, warning) = StateStore::new(dir).load();
    assert!(warning.is_none(), "unexpected warning: {}", warning.unwrap());
    assert_eq!(recents.len(), CHILDREN * NAMES_PER_CHILD);
    for index in 0..CHILDREN {
        for k in 0..NAMES_PER_CHILD {
            let name = format!("p{index}-{k}");
            let entry = recents.get(&name).unwrap_or_else(|| panic!("{name} is missing"));
            assert_eq!(entry.uses, (USES_PER_CHILD / NAMES_PER_CHILD) as u64, "uses of {name}");
        }
    }
}

const ROUNDS: usize = 5;
const KILLED_PER_ROUND: usize = 4;
const NAMES_PER_KILLED_CHILD: usize = 10;

#[test]
fn killed_writers_leave_a_readable_file_with_every_completed_update() {
    if let Some((index, dir)) = child_role() {
        let store = StateStore::new(dir);
        for i in 0..1_000_000u64 {
            let name = format!("k{index}-{}", i as usize % NAMES_PER_KILLED_CHILD);
            store.record_use(&name, 1_000 + i).expect("an update failed");
            println!("done {name}");
        }
        return;
    }

    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("state");
    let store = StateStore::new(dir.clone());
    let mut rng = Rng::from_clock();
    eprintln!("kill timing seed: {}", rng.0);
    let mut completed: HashMap<String, u64> = HashMap::new();
    let mut killed_mid_write = 0;

    for round in 0..ROUNDS {
        // Start a few writers, then kill each at its own random moment; they spend most of
        // their time waiting for the lock, holding it, or writing.
        let first = round * KILLED_PER_ROUND;
        let mut children: Vec<(Child, thread::JoinHandle<Vec<String>>)> = (first
            ..first + KILLED_PER_ROUND)
            .map(|index| {
                let mut child = spawn_child(
                    "killed_writers_leave_a_readable_file_with_every_completed_update",
                    index,
                    &dir,
                );
                let done = collect_done(&mut child);
                (child, done)
            })
            .collect();
        for (child, _) in &mut children {
            thread::sleep(Duration::from_millis(20 + rng.below(120)));
            child.kill().expect("could not kill a child");
        }
        for (mut child, done) in children {
            let status = wait_with_deadline(&mut child);
            assert!(!status.success(), "a child finished before it was killed");
            for name in done.join().unwrap() {
                *completed.entry(name).or_insert(0) += 1;
            }
        }

        // The file reads cleanly and holds every update a child reported.
        killed_mid_write += stray_files(&dir).len();
        let (recents, warning) = store.load();
        assert!(warning.is_none(), "round {round}: {}", warning.unwrap());
        for (name, &done) in &completed {
            let uses = recents.get(name).map_or(0, |e| e.uses);
            assert!(uses >= done, "round {round}: {name} has {uses} uses, {done} completed");
        }
    }

    // A child killed after its rename but before it printed adds one unreported use;
    // anything beyond that per child would be an update from nowhere.
    let (recents, _) = store.load();
    for index in 0..ROUNDS * KILLED_PER_ROUND {
        let names: Vec<String> =
            (0..NAMES_PER_KILLED_CHILD).map(|k| format!("k{index}-{k}")).collect();
        let stored: u64 = names.iter().filter_map(|n| recents.get(n)).map(|e| e.uses).sum();
        let reported: u64 = names.iter().filter_map(|n| completed.get(n)).sum();
        assert!(stored - reported <= 1, "child {index}: {stored} stored, {reported} reported");
    }
    let total: u64 = completed.values().sum();
    assert!(total > 0, "no child completed an update; the test proved nothing");
    eprintln!("updates completed before the kills: {total}");

    // The next writer clears whatever the killed ones left half-written.
    eprintln!(
        "temporary files found after the kills (writers killed mid-write): {killed_mid_write}"
    );
    store.record_use("after", 1).unwrap();
    let leftovers = stray_files(&dir);
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

/// Files in the state directory other than the state file and the lock file.
fn stray_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "recent.json" && name != "recent.lock")
        .collect()
}
