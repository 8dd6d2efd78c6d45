import type { ReactNode } from 'react';
import { SignedIn } from '@/components/shell/app-shell';

/** Every page in this group needs a signed-in user and lives in the app's shell. */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <SignedIn>{children}</SignedIn>;
}
