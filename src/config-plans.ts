import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatMoney } from './money.ts';

/**
 * The plans a merchant can be on (DESIGN.md §5.3): the built-in set, or the JSON array of
 * AKKED_PLANS_FILE, read and validated once when the configuration is loaded (src/config.ts).
 * What a plan means to an account (credits, thresholds) is billing's (src/billing/plans.ts).
 */
export type Plan = {
  id: string;
  name: string;
  /** Credits granted on every paid invoice of the plan (0 for `free`). */
  monthlyCredits: number;
  /** Price per month, a decimal string in the currency's minor digits ("19.00"). */
  price: string;
  /** ISO 4217, upper case. */
  currency: string;
  /** The Stripe recurring price; null means the plan is shown but cannot be bought. */
  stripePriceId: string | null;
};

/** Every account falls back to this plan (sign-up, cancelled or unpaid subscription). */
export const FREE_PLAN_ID = 'free';

export type PlanPrices = { starter?: string | undefined; growth?: string | undefined; scale?: string | undefined };

/** Built-in plans; their prices are what the Stripe prices of STRIPE_PRICE_* should charge. */
export const builtInPlans = (prices: PlanPrices): Plan[] => [
  { id: FREE_PLAN_ID, name: 'Free', monthlyCredits: 0, price: '0.00', currency: 'USD', stripePriceId: null },
  { id: 'starter', name: 'Starter', monthlyCredits: 1_000, price: '19.00', currency: 'USD', stripePriceId: prices.starter ?? null },
  { id: 'growth', name: 'Growth', monthlyCredits: 5_000, price: '79.00', currency: 'USD', stripePriceId: prices.growth ?? null },
  { id: 'scale', name: 'Scale', monthlyCredits: 20_000, price: '249.00', currency: 'USD', stripePriceId: prices.scale ?? null },
];

const PlanSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'expected lower-case letters, digits, "-" or "_" (at most 40)'),
    name: z.string().trim().min(1).max(100),
    monthlyCredits: z.number().int().min(0).max(10_000_000),
    price: z.string().regex(/^\d{1,12}(\.\d{1,4})?$/, 'expected a decimal string such as "19.00"'),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'expected an ISO 4217 code such as "USD"').transform((code) => code.toUpperCase()),
    stripePriceId: z.string().regex(/^price_\w+$/, 'expected a Stripe price id "price_..."').nullable(),
  })
  .strict()
  .transform((plan): Plan => ({ ...plan, price: formatMoney(plan.price, plan.currency) }));

export const PlansFileSchema = z
  .array(PlanSchema)
  .min(1)
  .superRefine((plans, context) => {
    const seenIds = new Set<string>();
    const seenPrices = new Set<string>();
    plans.forEach((plan, index) => {
      if (seenIds.has(plan.id)) context.addIssue({ code: 'custom', path: [index, 'id'], message: `plan "${plan.id}" appears twice` });
      seenIds.add(plan.id);
      if (plan.stripePriceId !== null) {
        if (seenPrices.has(plan.stripePriceId)) {
          context.addIssue({ code: 'custom', path: [index, 'stripePriceId'], message: `price ${plan.stripePriceId} belongs to two plans` });
        }
        seenPrices.add(plan.stripePriceId);
      }
    });
    const free = plans.find((plan) => plan.id === FREE_PLAN_ID);
    if (!free) context.addIssue({ code: 'custom', path: [], message: `a plan with id "${FREE_PLAN_ID}" is required (accounts fall back to it)` });
    else if (free.stripePriceId !== null) context.addIssue({ code: 'custom', path: [plans.indexOf(free), 'stripePriceId'], message: `the "${FREE_PLAN_ID}" plan cannot have a Stripe price` });
  });

export type LoadPlansResult = { plans: Plan[]; problems: [] } | { plans: null; problems: string[] };

/**
 * The built-in plans with the STRIPE_PRICE_* ids, or the plans of `file`. Problems name the file
 * and the place in it, so a bad file stops the process with a message saying what to fix.
 */
export const loadPlans = (options: { file: string | undefined; prices: PlanPrices }): LoadPlansResult => {
  if (!options.file) return { plans: builtInPlans(options.prices), problems: [] };
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch (error) {
    return { plans: null, problems: [`cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { plans: null, problems: [`${options.file} is not JSON: ${(error as Error).message}`] };
  }
  const parsed = PlansFileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      plans: null,
      problems: parsed.error.issues.map((issue) => `${options.file}${issue.path.length > 0 ? ` at [${issue.path.map(String).join('].[')}]` : ''}: ${issue.message}`),
    };
  }

  return { plans: parsed.data, problems: [] };
};
