// PLACEHOLDER: replaced by the page's implementation.
export default function StorePage() {
  return <p>StorePage</p>;
}
