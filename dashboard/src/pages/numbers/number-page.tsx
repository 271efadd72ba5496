// PLACEHOLDER: replaced by the page's implementation.
export default function NumberPage() {
  return <p>NumberPage</p>;
}
