// PLACEHOLDER: replaced by the page's implementation.
export default function ForgotPasswordPage() {
  return <p>ForgotPasswordPage</p>;
}
