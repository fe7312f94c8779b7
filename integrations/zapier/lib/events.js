'use strict';

// Tollgate's outbound event catalogue, one instant trigger per type. Zapier
// needs static trigger keys, so the list lives here; test/live.test.js checks
// it against GET /api/v1/webhooks/event-types of a running server.

const EVENTS = [
  { type: 'user.login', label: 'User Login', description: 'a member logs in' },
  { type: 'user.created', label: 'User Created', description: 'a member is added (by an admin, an integration, an import or a purchase)' },
  { type: 'user.activate', label: 'User Activate', description: 'a member logs in again after crossing the inactivity threshold' },
  { type: 'user.inactive', label: 'User Inactive', description: 'a member has not logged in for the inactivity threshold' },
  { type: 'user.video_watched', label: 'User Video Watched', description: 'a member starts a video hosted by Tollgate', product: true },
  { type: 'user.audio_listened', label: 'User Audio Listened', description: 'a member starts an audio file hosted by Tollgate', product: true },
  { type: 'user.file_downloaded', label: 'User File Downloaded', description: 'a member downloads a file hosted by Tollgate', product: true },
  { type: 'user.page_completed', label: 'User Page Completed', description: 'a member marks a page of a product as completed', product: true },
  { type: 'user.product_completed', label: 'User Product Completed', description: 'a member completes every page of a product', product: true },
  { type: 'product.access_granted', label: 'Product Access Granted', description: 'a member gains access to a product (by hand, Stripe, an import or the API)', product: true },
  { type: 'product.access_removed', label: 'Product Access Removed', description: 'a member loses access to a product', product: true },
  { type: 'product.purchased', label: 'Product Purchased', description: 'a member buys a product (one-time, or the first payment of a subscription)', product: true },
  { type: 'subscription.started', label: 'Subscription Started', description: 'a Stripe subscription of a linked product starts', product: true },
  { type: 'subscription.cancelled', label: 'Subscription Cancelled', description: 'a Stripe subscription of a linked product is cancelled', product: true },
  { type: 'member.stage_changed', label: 'Member Stage Changed', description: "a member's lifecycle stage changes (from and to name the stages)" },
  { type: 'member.updated', label: 'Member Updated', description: "a member's email or name changes", activity: false },
].map((e) => ({
  ...e,
  // Trigger keys may only hold letters, digits and underscores.
  key: e.type.replace(/[^a-zA-Z0-9]+/g, '_'),
  product: Boolean(e.product),
  activity: e.activity !== false,
}));

const MEMBER_FIELDS = [
  { key: 'data__member__id', label: 'Member ID' },
  { key: 'data__member__email', label: 'Member Email' },
  { key: 'data__member__name', label: 'Member Name' },
  { key: 'data__member__has_password', label: 'Member Has Password', type: 'boolean' },
  { key: 'data__member__last_login_at', label: 'Member Last Login At', type: 'datetime' },
  { key: 'data__member__created_at', label: 'Member Created At', type: 'datetime' },
  { key: 'data__member__updated_at', label: 'Member Updated At', type: 'datetime' },
  { key: 'data__member__stage', label: 'Member Lifecycle Stage' },
  { key: 'data__member__mrr', label: 'Member MRR (minor units)', type: 'integer' },
  { key: 'data__member__mrr_currency', label: 'Member MRR Currency' },
  { key: 'data__member__renews_at', label: 'Member Renews At', type: 'datetime' },
];

const PRODUCT_FIELDS = [
  { key: 'data__product__id', label: 'Product ID' },
  { key: 'data__product__name', label: 'Product Name' },
  { key: 'data__product__description', label: 'Product Description' },
  { key: 'data__product__image_url', label: 'Product Image URL' },
  { key: 'data__product__purchase_method', label: 'Product Purchase Method' },
  { key: 'data__product__external_url', label: 'Product External URL' },
  { key: 'data__product__show_locked_card', label: 'Product Shows Locked Card', type: 'boolean' },
  { key: 'data__product__archived_at', label: 'Product Archived At', type: 'datetime' },
  { key: 'data__product__created_at', label: 'Product Created At', type: 'datetime' },
  { key: 'data__product__updated_at', label: 'Product Updated At', type: 'datetime' },
];

const ACTIVITY_FIELDS = [
  { key: 'data__activity__id', label: 'Activity ID' },
  { key: 'data__activity__kind', label: 'Activity Kind' },
  { key: 'data__activity__label', label: 'Activity Label' },
  { key: 'data__activity__user_id', label: 'Activity Member ID' },
  { key: 'data__activity__product_id', label: 'Activity Product ID' },
  { key: 'data__activity__occurred_at', label: 'Activity Occurred At', type: 'datetime' },
];

const outputFields = (ev) => [
  { key: 'id', label: 'Event ID' },
  { key: 'type', label: 'Event Type' },
  { key: 'timestamp', label: 'Event Time', type: 'datetime' },
  ...(ev.activity ? ACTIVITY_FIELDS : []),
  ...MEMBER_FIELDS,
  ...(ev.product ? PRODUCT_FIELDS : []),
];

// A made-up event of the type, shaped like the ones Tollgate sends.
const sample = (ev) => {
  const at = '2026-01-15T10:30:00Z';
  const member = {
    id: 'usr_0194b2c3d4e57a1b8c9d0e1f2a3b4c5d',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    has_password: true,
    last_login_at: at,
    created_at: '2025-11-02T09:00:00Z',
    updated_at: at,
    stage: 'Customer',
    mrr: 2500,
    mrr_currency: 'usd',
    renews_at: '2026-02-15T10:30:00Z',
  };
  const product = ev.product
    ? {
        id: 'prod_0194b2c3d4e57a1b8c9d0e1f2a3b4c6e',
        name: 'Starter Course',
        description: 'Ten lessons to get going.',
        image_url: null,
        purchase_method: 'direct_checkout',
        external_url: null,
        show_locked_card: true,
        archived_at: null,
        created_at: '2025-10-01T08:00:00Z',
        updated_at: '2025-10-01T08:00:00Z',
      }
    : null;
  const activity = ev.activity
    ? {
        id: 'act_0194b2c3d4e57a1b8c9d0e1f2a3b4c7f',
        kind: ev.type,
        label: ev.label,
        user_id: member.id,
        product_id: product ? product.id : null,
        data: ev.type === 'member.stage_changed' ? { from: 'Trial', to: 'Customer' } : {},
        occurred_at: at,
      }
    : null;
  return {
    id: 'msg_0123456789abcdef0123456789abcdef',
    type: ev.type,
    timestamp: at,
    data: { activity, member, product },
  };
};

module.exports = { EVENTS, outputFields, sample };
