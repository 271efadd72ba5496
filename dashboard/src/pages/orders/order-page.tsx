// PLACEHOLDER: replaced by the page's implementation.
export default function OrderPage() {
  return <p>OrderPage</p>;
}
