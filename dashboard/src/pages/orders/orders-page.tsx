// PLACEHOLDER: replaced by the page's implementation.
export default function OrdersPage() {
  return <p>OrdersPage</p>;
}
