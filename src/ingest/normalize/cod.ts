/*
 * Cash on delivery is announced by a method code (`cod`, Zid's `zid_cod`) or by a label the merchant
 * may have retyped, in English, French or Arabic (DESIGN.md §5.4). Real COD orders often have a blank
 * gateway and only a label, so labels count as much as codes.
 */

/** Method codes platforms use for cash on delivery, compared after lower-casing and trimming. */
const COD_METHOD_CODES: ReadonlySet<string> = new Set([
  'cod',
  'zid_cod',
  'cash_on_delivery',
  'cashondelivery',
  'cash-on-delivery',
  'cash_on_delivery_cod',
  'pay_on_delivery',
  'payment_on_delivery',
  'cod_payment',
]);

const LATIN_PATTERNS: readonly RegExp[] = [
  /(^| )cod( |$)/,
  /\bcash (on|upon|at|at the time of) (the )?delivery\b/,
  /\b(pay|payment|paid|collect|collection) (on|upon|at) (the )?delivery\b/,
  /\bcash on receipt\b/,
  // French: paiement / payer / règlement (en espèces) à la livraison, contre remboursement.
  /\b(paiement|payer|payez|reglement|regler|cash|especes|paiement en especes|payer en especes) (a|a la|lors de la|des la) (livraison|reception)\b/,
  /\bcontre remboursement\b/,
];

// Arabic, written as simplifyLabel leaves it (plain alef, ه for ة, no tanween): "الدفع عند الاستلام",
// "الدفع عند التسليم", "كاش عند الوصول", "الدفع نقداً عند الاستلام" and kin.
const ARABIC_PATTERNS: readonly RegExp[] = [
  /(دفع|ادفع|كاش|نقدا|نقدي)\s*(نقدا\s*|كاش\s*)?(عند|بعد|وقت|لدي|حين)\s*(ال)?(استلام|تسليم|وصول|توصيل)/,
  /كاش\s*اون\s*ديليفري/,
];

/** Lower case, no accents or Arabic diacritics, one spelling per Arabic letter, separators as spaces. */
const simplifyLabel = (label: string): string =>
  label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/ـ/g, '')
    .replace(/[_\-./|()[\],:;'"’]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Whether any of the labels or method codes means cash on delivery. */
export const isCashOnDelivery = (...labels: (string | null | undefined)[]): boolean =>
  labels.some((label) => {
    if (!label) return false;
    if (COD_METHOD_CODES.has(label.trim().toLowerCase())) return true;
    const simplified = simplifyLabel(label);
    if (simplified.length === 0) return false;

    return LATIN_PATTERNS.some((pattern) => pattern.test(simplified)) || ARABIC_PATTERNS.some((pattern) => pattern.test(simplified));
  });
