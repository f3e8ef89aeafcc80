/**
 * The demo users' password (published in the README and the demo walkthroughs). A production desk
 * never lets it serve: whoever signs in with it there must change it first (services/auth/auth-service.ts).
 */
export const DEMO_PASSWORD = 'Desk@2026';
