/** Leaves the SPA for a connector's OAuth page (Stripe, Keap); a seam for tests. */
export const leave = { go: (url: string) => window.location.assign(url) };
