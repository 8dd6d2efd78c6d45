import { ButtonLink } from '@/components/ui/button';

export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex max-w-md flex-col items-start gap-3 p-8">
      <h1 className="text-xl font-semibold">This page does not exist</h1>
      <p className="text-sm text-muted">The address may be mistyped, or what it showed was deleted.</p>
      <ButtonLink href="/" variant="primary">
        Go to the dashboard
      </ButtonLink>
    </main>
  );
}
