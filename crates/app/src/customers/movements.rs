//! New, expansion, contraction, churned and reactivated MRR over a range of
//! days, from the movements recorded as subscriptions change.

use tollgate_domain::ids::AppId;
use tollgate_domain::metrics::{DayRange, MovementKind};
use tollgate_persistence::metrics;

use crate::error::AppResult;
use crate::services::Services;

/// The movements of one currency over a range (amounts in minor units a month).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovementTotals {
    pub currency: Option<String>,
    pub new: i64,
    pub expansion: i64,
    /// Negative or 0.
    pub contraction: i64,
    /// Negative or 0.
    pub churn: i64,
    pub reactivation: i64,
    pub new_count: i64,
    pub churn_count: i64,
}

impl MovementTotals {
    pub fn net(&self) -> i64 {
        self.new + self.expansion + self.contraction + self.churn + self.reactivation
    }
}

impl Services {
    /// MRR movements of `from..=to` (UTC days, default the last 30), one row
    /// per currency, the currency with the most new MRR first.
    pub async fn mrr_movements(&self, app: &AppId, from: Option<&str>, to: Option<&str>) -> AppResult<(DayRange, Vec<MovementTotals>)> {
        let today = self.now().to_offset(time::UtcOffset::UTC).date();
        let range = DayRange::parse(from, to, today)?;
        let start = range.from.midnight().assume_utc();
        let end = range.to.next_day().unwrap_or(range.to).midnight().assume_utc();
        let mut c = self.db.acquire().await?;
        let rows = metrics::movement_totals(&mut c.conn(), app, start, end).await?;
        let mut out: Vec<MovementTotals> = Vec::new();
        for (currency, kind, amount, count) in rows {
            let i = match out.iter().position(|t| t.currency == currency) {
                Some(i) => i,
                None => {
                    out.push(MovementTotals { currency: currency.clone(), ..Default::default() });
                    out.len() - 1
                }
            };
            let t = &mut out[i];
            match MovementKind::parse(&kind) {
                Some(MovementKind::New) => (t.new, t.new_count) = (amount, count),
                Some(MovementKind::Expansion) => t.expansion = amount,
                Some(MovementKind::Contraction) => t.contraction = amount,
                Some(MovementKind::Churn) => (t.churn, t.churn_count) = (amount, count),
                Some(MovementKind::Reactivation) => t.reactivation = amount,
                None => tracing::warn!(kind, "an unknown MRR movement kind was left out"),
            }
        }
        out.sort_by(|a, b| (b.new + b.reactivation + b.expansion).cmp(&(a.new + a.reactivation + a.expansion)).then(a.currency.cmp(&b.currency)));
        Ok((range, out))
    }
}
