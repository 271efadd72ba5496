// PLACEHOLDER: replaced by the page's implementation.
export default function StoresPage() {
  return <p>StoresPage</p>;
}
