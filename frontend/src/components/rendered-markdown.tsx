/**
 * Lesson and sales-page text: HTML rendered from Markdown and sanitized by the server
 * (pulldown-cmark + ammonia, crates/app/src/markdown.rs). Only that HTML is ever inserted as markup.
 */
export function RenderedMarkdown({ html }: { html: string }) {
  return <div className="lesson-body" dangerouslySetInnerHTML={{ __html: html }} />;
}
