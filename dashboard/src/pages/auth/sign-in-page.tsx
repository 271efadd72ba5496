// PLACEHOLDER: replaced by the page's implementation.
export default function SignInPage() {
  return <p>SignInPage</p>;
}
