using System.Collections.Generic;

namespace NNLinearity.Glm;

/// <summary>How each IRLS step solves its weighted least-squares problem.</summary>
public enum GlmSolver
{
    /// <summary>Cholesky of X^T W X (one pass over X per iteration); falls back to <see cref="Qr"/> when a column is nearly collinear with the ones before it, so aliasing is decided exactly as R decides it.</summary>
    Auto,

    /// <summary>Householder QR of W^1/2 X with R's limited column pivoting (LINPACK dqrdc2, tolerance min(1e-7, epsilon / 1000)), as R's glm.fit.</summary>
    Qr,
}

/// <summary>Options of a GLM fit. Defaults follow R's <c>glm.control()</c>.</summary>
/// <remarks>Thread safety: an immutable record (its lists are read, never written, by a fit: do not change them while a fit runs); safe to share across threads.</remarks>
public sealed record GlmOptions
{
    /// <summary>Prepend an intercept column named "(Intercept)" (default true).</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Names of the columns of X (without the intercept); default x1, x2, ...</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Prior weights, one per row, finite and non-negative; rows of weight 0 are left out of the fit. Default all 1. For the binomial family with proportions as responses these are the trial counts.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>An offset added to the linear predictor, one per row. Default none.</summary>
    public IReadOnlyList<double>? Offset { get; init; }

    /// <summary>Starting coefficients (one per column including the intercept) instead of the family's starting means.</summary>
    public IReadOnlyList<double>? Start { get; init; }

    /// <summary>Starting means, one per row, instead of the family's rule (R's <c>mustart</c>).</summary>
    public IReadOnlyList<double>? StartingMeans { get; init; }

    /// <summary>Convergence tolerance: stop when |dev - dev_old| / (|dev| + 0.1) &lt; Epsilon. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Maximum number of IRLS iterations. Default 25.</summary>
    public int MaxIterations { get; init; } = 25;

    /// <summary>The least-squares solver of each step. Default <see cref="GlmSolver.Auto"/>.</summary>
    public GlmSolver Solver { get; init; } = GlmSolver.Auto;

    /// <summary>
    /// Maximum number of threads for the passes over the data (default: all processors). The rows are split into fixed
    /// chunks whose partial sums are added in chunk order, so the fit is bit-identical for every thread count.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// Keep the per-row results in the fit (default true, as R's <c>glm</c>): fitted values, linear predictors, working
    /// weights, responses and prior weights, from which the residuals are computed (from 65,536 rows in native memory
    /// that the fit gives back for reuse when it is collected). With false the fit holds only what
    /// does not grow with the rows (coefficients, standard errors, covariance, deviances, AIC, diagnostics; the same
    /// values as with true), its per-row buffers come from and go back to a shared pool, and reading a per-row result
    /// throws <see cref="System.InvalidOperationException"/>: for repeated fits on large data, where fresh per-row memory
    /// costs a page fault per 4 KiB.
    /// </summary>
    public bool KeepRowResults { get; init; } = true;

    /// <summary>Skip the Gram of a pass that will almost surely be the last (tests turn it off to compare).</summary>
    internal bool SpeculativeFinalPass { get; init; } = true;
}
