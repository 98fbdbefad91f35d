namespace NNLinearity.Glm;

/// <summary>The kinds of condition a fit reports instead of failing (R's warnings and NA coefficients).</summary>
public enum GlmDiagnosticKind
{
    /// <summary>IRLS stopped at the iteration limit before the convergence rule held (R: "algorithm did not converge").</summary>
    NotConverged,

    /// <summary>Step-halving was needed to keep the deviance finite or the means valid (R: "algorithm stopped at boundary value").</summary>
    Boundary,

    /// <summary>Some fitted probabilities are within 10 eps of 0 or 1: the data are (quasi-)completely separated and some coefficients diverge.</summary>
    FittedProbabilitiesZeroOrOne,

    /// <summary>Some fitted Poisson rates are within 10 eps of 0.</summary>
    FittedRatesZero,

    /// <summary>
    /// The maximum likelihood estimate does not exist: the data are (quasi-)completely separated (binomial) or some
    /// counts are zero on a face of the design (Poisson, log link), so some coefficients diverge. Proven by a direction d
    /// of the last IRLS step along which every row's sign condition holds (see <see cref="GlmFit.DivergenceDirection"/>).
    /// </summary>
    Separation,

    /// <summary>Some columns are linear combinations of the columns before them; their coefficients are NaN and they are left out.</summary>
    AliasedColumns,

    /// <summary>The binomial weights times the responses are not whole numbers of successes.</summary>
    NonIntegerSuccesses,

    /// <summary>No residual degrees of freedom remain, so the dispersion (and every standard error that uses it) cannot be estimated.</summary>
    NoResidualDegreesOfFreedom,

    /// <summary>
    /// Step-halving was needed at some iteration to keep the deviance finite or eta and mu valid (R: "step size
    /// truncated due to divergence" and "step size truncated: out of bounds"); the message lists the iterations.
    /// </summary>
    StepHalving,

    /// <summary>
    /// A Poisson or negative binomial response is not a whole number. Poisson: the likelihood is zero there, so AIC and
    /// BIC are infinite and the log-likelihood is minus infinity, as R reports them. Negative binomial: the AIC uses the
    /// continuous extension lgamma(y + 1), as MASS does.
    /// </summary>
    NonIntegerCounts,

    /// <summary>
    /// The model fits essentially perfectly (a constant response, or one the columns reproduce exactly): the residual
    /// variance is below 1e-30 of the fitted values' scale, so standard errors, test statistics and p-values are
    /// rounding noise (R's summary.lm: "essentially perfect fit: summary may be unreliable").
    /// </summary>
    PerfectFit,

    /// <summary>An F test was asked of a family whose dispersion is known (binomial, Poisson, negative binomial): as R does, its denominator degrees of freedom are infinite, so it equals the chi-square test (R: "using F test with a 'poisson' family is inappropriate").</summary>
    FTestWithKnownDispersion,

    /// <summary>
    /// A result that should be a number is not finite (a standard error, statistic, p-value, deviance or AIC beyond
    /// double's range, typically from columns or responses scaled near 1e+-150): the message names each one.
    /// </summary>
    NonFiniteResult,

    /// <summary>Rows with missing values were left out under MissingValueAction.Exclude: per-row results are NaN at those table rows.</summary>
    RowsExcluded,

    /// <summary>
    /// A negative binomial fit's theta: its Newton iterations reached their limit (MASS: "iteration limit reached"),
    /// it was truncated at 0, or the alternation with IRLS stopped at its limit (MASS: "alternation limit reached").
    /// </summary>
    ThetaEstimate,

    /// <summary>
    /// A streamed or partitioned fit solved near-collinear normal equations (a column's part not explained by the
    /// columns before it below 1e-4 of its weighted norm): its coefficients keep fewer digits than R's QR would.
    /// </summary>
    NearCollinearNormalEquations,
}

/// <summary>A condition reported by a fit, with a readable message.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
/// <param name="Kind">What happened.</param>
/// <param name="Message">A sentence describing it, naming columns where relevant.</param>
public sealed record GlmDiagnostic(GlmDiagnosticKind Kind, string Message);
