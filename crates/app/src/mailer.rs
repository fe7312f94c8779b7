//! The SMTP transport (lettre): sends one stored outbox message. The
//! outbox, the templates and the `send_email` job are in `mail`.

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use tollgate_persistence::outbox::OutboxEmail;

use crate::config::{SmtpConfig, SmtpTls};

/// Sends mail over SMTP, or reports that none is configured.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: String,
}

impl Mailer {
    pub fn new(smtp: Option<SmtpConfig>, from: String) -> Self {
        let transport = smtp.and_then(|c| {
            let builder = match c.tls {
                SmtpTls::None => Some(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host)),
                SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host).ok(),
                SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).ok(),
            };
            let mut b = builder?.port(c.port).timeout(Some(std::time::Duration::from_secs(20)));
            if let (Some(u), Some(p)) = (c.username.filter(|u| !u.is_empty()), c.password) {
                b = b.credentials(Credentials::new(u, p.expose_secret().to_owned()));
            }
            Some(b.build())
        });
        Self { transport, from }
    }

    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    pub(crate) async fn send(&self, e: &OutboxEmail) -> Result<(), String> {
        let Some(t) = &self.transport else { return Err("no SMTP configured".into()) };
        let from: Mailbox = self.from.parse().map_err(|err| format!("bad from address: {err}"))?;
        let to: Mailbox = e.to_email.parse().map_err(|err| format!("bad recipient: {err}"))?;
        let msg = Message::builder()
            .from(from)
            .to(to)
            .subject(&e.subject)
            .message_id(Some(format!("<{}@tollgate>", e.id)))
            .multipart(MultiPart::alternative_plain_html(e.text_body.clone(), e.html_body.clone()))
            .map_err(|err| format!("cannot build message: {err}"))?;
        t.send(msg).await.map(|_| ()).map_err(|err| format!("SMTP: {err}"))
    }
}

