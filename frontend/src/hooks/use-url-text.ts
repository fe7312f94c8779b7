import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";

/** A text filter kept in the URL (`?key=`), written back after a short pause in typing. */
export function useUrlText(key: string, delay = 250) {
  const [params, setParams] = useSearchParams();
  const value = params.get(key) ?? "";
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (text.trim()) next.set(key, text.trim());
          else next.delete(key);
          return next;
        },
        { replace: true },
      );
    }, delay);
    return () => clearTimeout(t);
  }, [text, value, key, delay, setParams]);
  return { value, text, setText };
}
