// Clicking [n] selects the source card n of that answer (waiting for the panel to switch answers if needed),
// scrolls it into view and highlights it. Without JavaScript the #src-… anchor still jumps to the card.
// Loaded by ui/assets.py into the page's <head>.
(() => {
  function show(card) {
    document.querySelectorAll('.aq-card.aq-active').forEach((c) => c.classList.remove('aq-active'));
    card.classList.add('aq-active');
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
    card.focus({preventScroll: true});
  }
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a[href^="#src-"]') : null;
    if (!link) return;
    event.preventDefault();
    const id = link.getAttribute('href').slice(1);
    let tries = 0;
    const find = () => {
      const card = document.getElementById(id);
      if (card) { show(card); } else if (++tries < 60) { setTimeout(find, 100); }
    };
    find();
  }, true);
  // A timeline entry opened: bring its marked sentence into view inside the article box.
  document.addEventListener('toggle', (event) => {
    const opened = event.target;
    const mark = opened.matches && opened.matches('details.aq-tl-article[open]') && opened.querySelector('mark');
    if (mark) mark.scrollIntoView({block: 'nearest'});
  }, true);
})();
