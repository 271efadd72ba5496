// PLACEHOLDER: replaced by the page's implementation.
export default function VerifyEmailPage() {
  return <p>VerifyEmailPage</p>;
}
