// PLACEHOLDER: replaced by the page's implementation.
export default function ResetPasswordPage() {
  return <p>ResetPasswordPage</p>;
}
