/** Plans and their limits (issue 10). Browser and kernel simulations never count: only server runs are metered. */
export type Plan = 'free' | 'pro' | 'team';

export interface PlanLimits {
  /** Cloud simulation minutes per calendar month (UTC), worker run time. */
  cloudMinutesPerMonth: number;
  /** Largest circuit (non-ground nodes) the server will run; null for no limit. */
  maxNodes: number | null;
  /** Monthly price in US dollars (Team: per seat). */
  priceUsd: number;
}

export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  free: { cloudMinutesPerMonth: 10, maxNodes: 200, priceUsd: 0 },
  pro: { cloudMinutesPerMonth: 500, maxNodes: null, priceUsd: 39 },
  team: { cloudMinutesPerMonth: 2000, maxNodes: null, priceUsd: 79 },
};

/** The calendar month (UTC) containing `at`, as ISO dates: [start, end). */
export function monthOf(at: Date): { start: string; end: string } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}
