//! Background job rules: retry schedule and the dead state.

use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Dead,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [JobStatus::Queued, JobStatus::Running, JobStatus::Succeeded, JobStatus::Dead];
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Dead => "dead",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }
}

pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// How long a running job stays its worker's without news from it. A
/// worker renews the lease every [`JOB_HEARTBEAT`] while the job runs, so
/// only a dead (or frozen) worker loses it: its job is claimed again at most
/// this long after its last heartbeat.
pub const JOB_LEASE: Duration = Duration::seconds(20);

/// How often a worker renews the lease of the job it is running.
pub const JOB_HEARTBEAT: Duration = Duration::seconds(5);

/// Delay before retry number `attempt` (1-based count of failures so far):
/// 10 s, 20 s, 40 s … capped at one hour. `jitter` in [0, 1) spreads retries
/// of many jobs that failed together.
pub fn retry_delay(attempt: i32, jitter: f64) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    let base = (10_i64 << exp).min(3600);
    let spread = (base as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::seconds(base + spread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_grows_and_caps() {
        assert_eq!(retry_delay(1, 0.0), Duration::seconds(10));
        assert_eq!(retry_delay(2, 0.0), Duration::seconds(20));
        assert_eq!(retry_delay(4, 0.0), Duration::seconds(80));
        assert_eq!(retry_delay(30, 0.0), Duration::seconds(3600));
        assert!(retry_delay(1, 0.99) <= Duration::seconds(12));
    }
}
