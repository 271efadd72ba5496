// PLACEHOLDER: replaced by the page's implementation.
export default function BillingPage() {
  return <p>BillingPage</p>;
}
