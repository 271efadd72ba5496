// PLACEHOLDER: replaced by the page's implementation.
export default function OverviewPage() {
  return <p>OverviewPage</p>;
}
