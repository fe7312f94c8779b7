//! Automation runs: the states a run goes through.

/// Where a run of an automation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Its next step is queued or running.
    Running,
    /// A wait step is counting down.
    Waiting,
    Succeeded,
    /// A step failed for good; later steps did not run.
    Failed,
    /// A condition did not hold (at the start or in a stop_unless step).
    Stopped,
    /// The automation was disabled or the run was cancelled.
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [RunStatus::Running, RunStatus::Waiting, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Stopped, RunStatus::Cancelled];
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Waiting => "waiting",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Stopped => "stopped",
            RunStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }
    pub fn is_open(self) -> bool {
        matches!(self, RunStatus::Running | RunStatus::Waiting)
    }
}
