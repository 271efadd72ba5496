// PLACEHOLDER: replaced by the page's implementation.
export default function NumbersPage() {
  return <p>NumbersPage</p>;
}
