// PLACEHOLDER: replaced by the page's implementation.
export default function SignUpPage() {
  return <p>SignUpPage</p>;
}
