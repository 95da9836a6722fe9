package org.parley.loadtest.report;

/**
 * One pass/fail threshold as judged at the end of a run.
 *
 * @param option the command-line option that set it, e.g. {@code --max-loss}
 * @param figure what it limits, in words
 * @param limit  the limit with its unit, e.g. {@code <= 1 %}
 * @param actual the run's figure with its unit, or why there is none
 */
public record ThresholdResult(String option, String figure, String limit, String actual, boolean passed) {
}
