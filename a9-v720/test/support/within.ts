/**
 * Bounds a wait in a test: when the code under test is broken (a mutant, a regression) and the
 * awaited event never comes, the test fails at once with what it was waiting for, instead of
 * hanging until a runner-level timeout.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
