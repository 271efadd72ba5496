// PLACEHOLDER: replaced by the page's implementation.
export default function SettingsPage() {
  return <p>SettingsPage</p>;
}
