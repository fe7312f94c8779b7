//! The systems Tollgate connects to. Each is a connector: it verifies and
//! stores what the system sends, processes it into access, and recovers
//! what it missed. The kind names the connector in URLs
//! (`/webhooks/{kind}/{app_id}`), in stored rows and on the wire.

/// A connector's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum ConnectorKind {
    #[serde(rename = "stripe")]
    Stripe,
    #[serde(rename = "keap")]
    Keap,
    #[serde(rename = "activecampaign")]
    ActiveCampaign,
}

impl ConnectorKind {
    pub const ALL: [ConnectorKind; 3] = [ConnectorKind::Stripe, ConnectorKind::Keap, ConnectorKind::ActiveCampaign];

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Stripe => "stripe",
            ConnectorKind::Keap => "keap",
            ConnectorKind::ActiveCampaign => "activecampaign",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The vendor's name as people write it.
    pub fn label(self) -> &'static str {
        match self {
            ConnectorKind::Stripe => "Stripe",
            ConnectorKind::Keap => "Keap",
            ConnectorKind::ActiveCampaign => "ActiveCampaign",
        }
    }
}

impl std::fmt::Display for ConnectorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names_and_serde() {
        for k in ConnectorKind::ALL {
            assert_eq!(ConnectorKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
        }
        assert_eq!(ConnectorKind::parse("Stripe"), None);
        assert_eq!(ConnectorKind::parse("paypal"), None);
    }
}
