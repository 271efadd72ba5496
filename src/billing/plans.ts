import type { Plan } from '../config-plans.ts';

/** Credits left at which "credits low" is announced when a plan has no monthly credits. */
export const LOW_CREDITS_FLOOR = 10;

export const findPlan = (plans: readonly Plan[], planId: string): Plan | undefined => plans.find((plan) => plan.id === planId);

export const findPlanByPrice = (plans: readonly Plan[], priceId: string): Plan | undefined =>
  plans.find((plan) => plan.stripePriceId !== null && plan.stripePriceId === priceId);

/**
 * "Credits low" is announced when the balance falls to 10 % of the plan's monthly credits or to
 * 10 credits, whichever comes first (the larger of the two).
 */
export const lowCreditsThreshold = (plan: Pick<Plan, 'monthlyCredits'> | undefined): number =>
  Math.max(LOW_CREDITS_FLOOR, Math.ceil((plan?.monthlyCredits ?? 0) / 10));
