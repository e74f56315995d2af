/** A promise opened once from outside: what waiters await until something has happened. */
export interface Gate {
  promise: Promise<void>;
  open: () => void;
  isOpen: boolean;
}

/** A closed {@link Gate}. */
export function gate(): Gate {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  const result: Gate = { promise, isOpen: false, open: () => {} };
  result.open = () => {
    result.isOpen = true;
    open();
  };
  return result;
}
