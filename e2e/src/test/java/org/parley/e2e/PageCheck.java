package org.parley.e2e;

import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.WebElement;

/**
 * What a user would notice is wrong with the screen a browser shows, as sentences (empty when
 * nothing is): a control out of sight or covered, a page that scrolls sideways, an empty picker,
 * a control a screen reader cannot name, a self-view that is not a small corner picture.
 */
final class PageCheck {

    /** Every rendered control, for the checks below (hidden ones have an empty box). */
    private static final String CONTROLS = "return [...document.querySelectorAll('button, input, select, textarea, a[href], summary')]"
            + ".filter((el) => { const r = el.getBoundingClientRect();"
            + " return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; });";

    private static final String LAYOUT = """
            // The screen the page is shown on (a phone widens innerWidth to fit a page too wide).
            const W = screen.width, H = screen.height, out = [];
            const what = (el) => el.id ? '#' + el.id : `${el.tagName.toLowerCase()} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
            const wide = Math.max(document.documentElement.scrollWidth, innerWidth);
            if (wide > W) out.push(`the page is ${wide} px wide in a ${W} px viewport: it scrolls sideways`);
            for (const el of arguments[0]) {
              const r = el.getBoundingClientRect();
              if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) {
                out.push(`${what(el)} is not inside the ${W}x${H} viewport: ${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)}`);
                continue;
              }
              const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
              if (hit && hit !== el && !el.contains(hit) && !(el.labels && [...el.labels].some((l) => l.contains(hit)))) {
                out.push(`${what(el)} is covered by ${what(hit)}`);
              }
              if (el.tagName === 'SELECT' && el.options.length === 0) out.push(`${what(el)} is an empty picker`);
            }
            return out;
            """;

    private static final String SELF_VIEW = """
            const out = [];
            const self = document.getElementById('self-view') || document.getElementById('local-video');
            const stage = self.parentElement.getBoundingClientRect(), r = self.getBoundingClientRect();
            if (r.width === 0) return ['the self-view is not shown'];
            if (r.width > 0.4 * stage.width || r.height > 0.45 * stage.height) {
              out.push(`the self-view is ${Math.round(r.width)}x${Math.round(r.height)} in a ${Math.round(stage.width)}x${Math.round(stage.height)} stage: not a small picture`);
            }
            const nearX = Math.min(Math.abs(r.left - stage.left), Math.abs(stage.right - r.right)) <= 24;
            const nearY = Math.min(Math.abs(r.top - stage.top), Math.abs(stage.bottom - r.bottom)) <= 24;
            if (!nearX || !nearY) out.push('the self-view is not in a corner of the stage');
            if (r.right > screen.width || r.bottom > screen.height) out.push('the self-view is outside the viewport');
            return out;
            """;

    private PageCheck() {
    }

    /** Controls inside the viewport and uncovered, no sideways scrolling, no empty pickers. */
    static List<String> layout(Browser b, String where) {
        List<String> problems = new ArrayList<>();
        for (Object p : (List<?>) b.script(LAYOUT, controls(b))) {
            problems.add(where + ": " + p);
        }
        return problems;
    }

    /** Every rendered control has a name a screen reader can announce. */
    static List<String> accessibleNames(Browser b, String where) {
        List<String> problems = new ArrayList<>();
        for (WebElement el : controls(b)) {
            String name = Browser.accessibleName(el);
            if (name == null || name.isBlank()) {
                problems.add(where + ": " + el.getTagName() + " #" + el.getDomAttribute("id") + " has no accessible name");
            }
        }
        return problems;
    }

    /** In a call: the self-view is a small picture in a corner of the stage. */
    static List<String> selfView(Browser b, String where) {
        return ((List<?>) b.script(SELF_VIEW)).stream().map(p -> where + ": " + p).toList();
    }

    /** Layout and names together: what every screen must pass. */
    static List<String> screen(Browser b, String where) {
        List<String> problems = new ArrayList<>(layout(b, where));
        problems.addAll(accessibleNames(b, where));
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static List<WebElement> controls(Browser b) {
        return (List<WebElement>) b.script(CONTROLS);
    }
}
