import { describe, expect, it } from 'vitest';
import { isCashOnDelivery } from './cod.ts';

describe('isCashOnDelivery', () => {
  it('recognises platform method codes', () => {
    for (const code of ['cod', 'COD', 'zid_cod', 'cash_on_delivery']) expect(isCashOnDelivery(code)).toBe(true);
  });

  it('recognises English labels', () => {
    expect(isCashOnDelivery('Cash on Delivery (COD)')).toBe(true);
    expect(isCashOnDelivery('Cash On Delivery')).toBe(true);
    expect(isCashOnDelivery('Pay on delivery')).toBe(true);
  });

  it('recognises French labels, with or without accents', () => {
    expect(isCashOnDelivery('Paiement à la livraison')).toBe(true);
    expect(isCashOnDelivery('paiement a la livraison')).toBe(true);
    expect(isCashOnDelivery('Paiement en espèces à la livraison')).toBe(true);
    expect(isCashOnDelivery('Contre-remboursement')).toBe(true);
  });

  it('recognises Arabic labels, with diacritics and letter variants', () => {
    expect(isCashOnDelivery('الدفع عند الاستلام')).toBe(true);
    expect(isCashOnDelivery('الدفع عند التسليم')).toBe(true);
    expect(isCashOnDelivery('الدفع نقداً عند الإستلام')).toBe(true);
    expect(isCashOnDelivery('كاش عند الوصول')).toBe(true);
  });

  it('rejects other methods and empty values', () => {
    for (const label of ['bacs', 'Direct Bank Transfer', 'shopify_payments', 'Credit Card (Stripe)', 'zid_bank_transfer', 'bank', 'Promo code', 'الدفع الإلكتروني', '', null, undefined]) {
      expect(isCashOnDelivery(label)).toBe(false);
    }
  });

  it('is true when any of several labels says cash on delivery', () => {
    expect(isCashOnDelivery(null, 'manual', 'Cash on Delivery (COD)')).toBe(true);
    expect(isCashOnDelivery()).toBe(false);
  });
});
