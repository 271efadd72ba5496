// PLACEHOLDER: replaced by the page's implementation.
export default function SetupPage() {
  return <p>SetupPage</p>;
}
