/**
 * Effective dates are calendar days in China time (UTC+8, no daylight
 * saving); the store keeps the instant the day starts, as an ISO timestamp,
 * so `effective_from <= now` picks the version in force.
 */
export { chinaDate, chinaDayStartIso } from '../../../shared/rules/china-time';
