/**
 * The one map from the API's stable problem codes to words for people: what happened and what to do next.
 * Codes whose server detail names specifics (what uses a product, a file's size) are left out on purpose.
 * Codes not listed fall back to the server's own detail (capitalized, with a full stop).
 */
export const problemMessages: Record<string, string> = {
  invalid_credentials: "That email and password do not match. Check them, or use “Forgot password?”.",
  too_many_attempts: "Too many tries in a short time. Wait a minute, then try again.",
  invalid_magic_link: "This sign-in link did not work: links work once and expire after a few minutes. Ask for a new one.",
  invalid_refresh_token: "Your session has ended. Sign in again.",
  missing_credentials: "You are signed out. Sign in again.",
  not_found: "We could not find that. It may have been deleted; go back to the list and try again.",
  route_not_found: "We could not find that. Go back and try again.",
  no_access: "You do not have access to this product yet.",
  insufficient_scope: "This API key may not do that. Create a key with the needed permission.",
  insufficient_role: "Your role cannot do that. Ask an owner of this site.",
  admin_only: "Only owners and admins can do that. Ask an owner of this site.",
  owner_only: "Only an owner can do that. Ask an owner of this site.",
  last_owner: "A site needs at least one owner. Make someone else an owner first.",
  not_a_member: "You are not on this site's team. Ask an owner to invite you.",
  no_apps: "Your account belongs to no site yet. Ask an owner to invite you.",
  already_set_up: "Tollgate is already set up. Sign in instead.",
  email_taken: "Someone already uses this email. Use another one.",
  account_exists: "An account with this email exists. Sign in instead.",
  already_member: "This person is already on the team.",
  already_accepted: "This invitation was already accepted. Sign in instead.",
  invitation_conflict: "There is already an open invitation for this email. Revoke it first, or resend it.",
  seats_full: "Every seat of this account is taken. Remove a teammate, or add seats to the subscription in Stripe (its quantity).",
  member_in_an_account: "This person already sits in another account. They must leave it before they can join this one.",
  not_account_owner: "Only the account's owner can add or remove teammates. Ask them.",
  owner_seat: "The owner's seat cannot be removed: the subscription is theirs.",
  access_already_granted: "The member already has access to this product.",
  product_archived: "This product is archived. Unarchive it first.",
  page_in_use: "This page is in use elsewhere and cannot be deleted.",
  stripe_not_connected: "Stripe is not connected yet. Connect it under Settings → Connectors.",
  not_linked: "This product is not linked to a Stripe product yet. Link it first.",
  stripe_product_already_linked: "That Stripe product is linked to another product already.",
  checkout_disabled: "This product cannot be bought here right now. Try again later, or contact the site owner.",
  portal_disabled: "The billing portal is off. An admin can turn it on under Settings → Connectors.",
  no_billing_account: "There is nothing to manage yet: you have no purchases or subscriptions.",
  crm_not_connected: "The CRM is not connected yet. Connect it under Settings → Connectors.",
  endpoint_disabled: "This endpoint is disabled. Enable it again to send to it.",
  automation_disabled: "This automation is off. Turn it on first.",
  job_not_dead: "Only failed jobs can be retried.",
  import_already_run: "This import has run already. To import the file again, upload it again: members already imported are not added twice.",
  run_not_failed: "Only failed runs can be retried.",
  loop_detected: "This would make an automation trigger itself. Change its trigger or steps.",
  unsupported_media_type: "The server cannot read this kind of file or request.",
  idempotency_key_reused: "This request was already sent with different contents. Reload and try again.",
  idempotency_key_in_use: "This request is still being handled. Wait a moment, then reload.",
  database_unavailable: "The server cannot reach its database right now. Try again in a minute.",
  network_error: "Could not reach the server. Check your connection and try again.",
  internal_error: "Something went wrong on the server. Try again; if it keeps failing, check the server log.",
};

/** Words for a problem code, else the server's detail as a sentence. */
export function problemMessage(code: string | undefined, detail: string | undefined): string {
  const known = code ? problemMessages[code] : undefined;
  if (known) return known;
  const d = (detail ?? "").trim();
  if (!d) return "Something went wrong. Try again.";
  // "user not found" → "User not found."; a leading file name or identifier ("big.mov …") stays as it is.
  const sentence = /^[a-z]+[\s,;:]/.test(d) ? d.charAt(0).toUpperCase() + d.slice(1) : d;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
