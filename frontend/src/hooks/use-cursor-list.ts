import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";

export type CursorPage<T> = { data: T[]; has_more: boolean; next_cursor?: string | null; total?: number | null };

/** A cursor-paginated list as one flat array, with "load more". */
export function useCursorList<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>,
  options: { refetchInterval?: number | false; enabled?: boolean } = {},
) {
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
    refetchInterval: options.refetchInterval,
    enabled: options.enabled,
  });
  return {
    data: q.data?.pages.flatMap((p) => p.data),
    /** Every match, where the first page counted them. */
    total: q.data?.pages[0]?.total,
    isPending: q.isPending,
    isError: q.isError,
    error: q.error,
    refetch: q.refetch,
    hasNextPage: q.hasNextPage,
    fetchNextPage: q.fetchNextPage,
    isFetchingNextPage: q.isFetchingNextPage,
    isFetching: q.isFetching,
  };
}
