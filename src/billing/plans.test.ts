import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config.ts';
import { stripeAmountToDecimal } from './invoices.ts';
import { lowCreditsThreshold } from './plans.ts';

describe('plans', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'akked-plans-'));
  });

  const plansFile = async (name: string, content: unknown): Promise<string> => {
    const file = path.join(directory, name);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));

    return file;
  };

  const configProblem = (environment: Record<string, string>): string => {
    try {
      parseConfig(environment);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);

      return (error as Error).message;
    }
    throw new Error('the configuration was accepted');
  };

  it('offers the built-in plans, buyable only where a STRIPE_PRICE_* is set', () => {
    expect(parseConfig({}).plans.map((plan) => [plan.id, plan.monthlyCredits, plan.stripePriceId])).toEqual([
      ['free', 0, null],
      ['starter', 1000, null],
      ['growth', 5000, null],
      ['scale', 20000, null],
    ]);
    const priced = parseConfig({ STRIPE_PRICE_STARTER: 'price_s', STRIPE_PRICE_GROWTH: 'price_g', STRIPE_PRICE_SCALE: 'price_x' }).plans;
    expect(priced.map((plan) => plan.stripePriceId)).toEqual([null, 'price_s', 'price_g', 'price_x']);
  });

  it('replaces them with the plans of AKKED_PLANS_FILE, prices in the currency’s digits', async () => {
    const file = await plansFile('good.json', [
      { id: 'free', name: 'Free', monthlyCredits: 0, price: '0', currency: 'kwd', stripePriceId: null },
      { id: 'souq', name: 'Souq <b>', monthlyCredits: 2500, price: '9.5', currency: 'KWD', stripePriceId: 'price_souq' },
    ]);
    expect(parseConfig({ AKKED_PLANS_FILE: file, STRIPE_PRICE_STARTER: 'price_ignored' }).plans).toEqual([
      { id: 'free', name: 'Free', monthlyCredits: 0, price: '0.000', currency: 'KWD', stripePriceId: null },
      { id: 'souq', name: 'Souq <b>', monthlyCredits: 2500, price: '9.500', currency: 'KWD', stripePriceId: 'price_souq' },
    ]);
  });

  it('stops on a bad plans file with a message naming the variable, the file and the problem', async () => {
    expect(configProblem({ AKKED_PLANS_FILE: path.join(directory, 'missing.json') })).toMatch(/AKKED_PLANS_FILE: cannot read .*missing\.json: ENOENT/);
    expect(configProblem({ AKKED_PLANS_FILE: await plansFile('broken.json', '[{"id": "free",') })).toMatch(/AKKED_PLANS_FILE: .*broken\.json is not JSON/);
    const noFree = await plansFile('no-free.json', [{ id: 'pro', name: 'Pro', monthlyCredits: 10, price: '5.00', currency: 'USD', stripePriceId: 'price_pro' }]);
    expect(configProblem({ AKKED_PLANS_FILE: noFree })).toContain('a plan with id "free" is required');
    const invalid = await plansFile('invalid.json', [
      { id: 'free', name: 'Free', monthlyCredits: 0, price: '0.00', currency: 'USD', stripePriceId: null },
      { id: 'pro', name: 'Pro', monthlyCredits: -5, price: '5.00', currency: 'USD', stripePriceId: 'price_pro' },
      { id: 'pro', name: 'Pro again', monthlyCredits: 5, price: 'five', currency: 'USD', stripePriceId: 'prod_wrong', colour: 'red' },
    ]);
    const message = configProblem({ AKKED_PLANS_FILE: invalid });
    expect(message).toContain('AKKED_PLANS_FILE');
    expect(message).toMatch(/invalid\.json at \[1\]\.\[monthlyCredits\]/);
    expect(message).toMatch(/at \[2\]\.\[price\]: expected a decimal string/);
    expect(message).toMatch(/at \[2\]\.\[stripePriceId\]: expected a Stripe price id/);
    expect(message).toContain('colour');
    const duplicate = await plansFile('duplicate.json', [
      { id: 'free', name: 'Free', monthlyCredits: 0, price: '0.00', currency: 'USD', stripePriceId: null },
      { id: 'pro', name: 'Pro', monthlyCredits: 5, price: '5.00', currency: 'USD', stripePriceId: 'price_pro' },
      { id: 'pro', name: 'Pro', monthlyCredits: 5, price: '5.00', currency: 'USD', stripePriceId: 'price_pro' },
    ]);
    const duplicateMessage = configProblem({ AKKED_PLANS_FILE: duplicate });
    expect(duplicateMessage).toContain('plan "pro" appears twice');
    expect(duplicateMessage).toContain('price price_pro belongs to two plans');
  });

  it('takes STRIPE_API_BASE_URL as an origin only', () => {
    expect(parseConfig({ STRIPE_API_BASE_URL: 'http://127.0.0.1:12111/' }).STRIPE_API_BASE_URL).toBe('http://127.0.0.1:12111');
    expect(configProblem({ STRIPE_API_BASE_URL: 'http://127.0.0.1:12111/v1' })).toContain('STRIPE_API_BASE_URL');
  });

  it('announces low credits at 10 % of the monthly credits or at 10 left, whichever comes first', () => {
    expect(lowCreditsThreshold({ monthlyCredits: 0 })).toBe(10);
    expect(lowCreditsThreshold({ monthlyCredits: 50 })).toBe(10);
    expect(lowCreditsThreshold({ monthlyCredits: 1000 })).toBe(100);
    expect(lowCreditsThreshold({ monthlyCredits: 20_000 })).toBe(2000);
    expect(lowCreditsThreshold(undefined)).toBe(10);
  });

  it("turns Stripe's integer amounts into decimal strings in the currency's digits", () => {
    expect(stripeAmountToDecimal(1900, 'usd')).toBe('19.00');
    expect(stripeAmountToDecimal(5, 'USD')).toBe('0.05');
    expect(stripeAmountToDecimal(12_500, 'kwd')).toBe('12.500');
    expect(stripeAmountToDecimal(500, 'jpy')).toBe('500');
    // Stripe sends ISK with two decimals; ISO gives it none.
    expect(stripeAmountToDecimal(100_000, 'isk')).toBe('1000');
    expect(stripeAmountToDecimal(0, 'sar')).toBe('0.00');
  });
});
