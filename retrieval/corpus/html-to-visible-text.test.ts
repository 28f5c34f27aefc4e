import { describe, expect, it } from 'vitest';
import { htmlToVisibleText } from './html-to-visible-text.js';

describe('htmlToVisibleText', () => {
  it('does not wrap long lines, so a paragraph stays one line', () => {
    const sentence = 'A long paragraph that goes well past eighty characters, which html-to-text would wrap by default.';
    expect(htmlToVisibleText(`<p>${sentence}</p>`).text).toBe(sentence);
  });

  it('decodes entities and keeps heading case', () => {
    expect(htmlToVisibleText('<h2>Fish &amp; Chips</h2><p>caf&eacute; &lt;b&gt;</p>').text).toBe('Fish & Chips\n\ncafé <b>');
  });

  it('falls back from <title> to the first <h1>, then to null', () => {
    expect(htmlToVisibleText('<title> A   Title </title><h1>Heading</h1>').title).toBe('A Title');
    expect(htmlToVisibleText('<h1>First</h1><h1>Second</h1>').title).toBe('First');
    expect(htmlToVisibleText('<p>No title</p>').title).toBeNull();
  });

  it('separates table cells and drops scripts, styles and images', () => {
    const { text } = htmlToVisibleText('<table><tr><td>a</td><td>b</td></tr></table><script>evil()</script><style>p{}</style><img src=x alt=y onerror=alert(1)>');
    expect(text).toBe('a\nb');
  });
});
