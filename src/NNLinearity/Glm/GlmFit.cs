using System;
using System.Collections.Generic;
using NNLinearity.Families;
using NNLinearity.Links;

namespace NNLinearity.Glm;

/// <summary>Which test statistic the coefficient table uses.</summary>
public enum GlmTestStatistic
{
    /// <summary>z = estimate / SE against the standard normal (dispersion known).</summary>
    Z,

    /// <summary>t = estimate / SE against Student's t on the residual degrees of freedom (dispersion estimated).</summary>
    T,
}

/// <summary>The residual types of R's <c>residuals.glm</c>.</summary>
public enum GlmResidualType
{
    /// <summary>y - mu.</summary>
    Response,

    /// <summary>(y - mu) / (dmu/deta): the IRLS working residuals.</summary>
    Working,

    /// <summary>(y - mu) sqrt(w) / sqrt(V(mu)).</summary>
    Pearson,

    /// <summary>sign(y - mu) sqrt(unit deviance times w).</summary>
    Deviance,
}

/// <summary>The scale of a prediction.</summary>
public enum GlmPredictionScale
{
    /// <summary>The linear predictor eta.</summary>
    Link,

    /// <summary>The mean mu = g^-1(eta).</summary>
    Response,
}

/// <summary>Predictions with their standard errors (R's <c>predict.glm(se.fit = TRUE)</c>).</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
/// <param name="Fit">Predicted values on the requested scale.</param>
/// <param name="StandardErrors">Standard errors on the same scale (delta method on the response scale).</param>
/// <param name="Scale">The scale.</param>
public sealed record GlmPrediction(IReadOnlyList<double> Fit, IReadOnlyList<double> StandardErrors, GlmPredictionScale Scale)
{
    /// <summary>Rows of a new table that had a missing value in a variable the model uses: their predictions are NaN (R's na.pass). Empty otherwise.</summary>
    public IReadOnlyList<int> MissingRows { get; init; } = [];
}

/// <summary>A Wald confidence interval for one coefficient.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
/// <param name="Name">The coefficient's name.</param>
/// <param name="Lower">Lower limit.</param>
/// <param name="Upper">Upper limit.</param>
public sealed record ConfidenceInterval(string Name, double Lower, double Upper);

/// <summary>
/// A fitted generalized linear model with R's inference: coefficients, standard errors, test statistics and
/// p-values, the dispersion-scaled covariance, deviances, AIC/BIC, residuals, predictions and diagnostics.
/// </summary>
/// <remarks>Thread safety: a fit is an immutable value; prediction, residuals, intervals and summaries may be called from any number of threads at once. Its arrays (Covariance, UnscaledCovariance) are the fit's own: read them, do not write them.</remarks>
public sealed partial class GlmFit
{
    internal GlmFit() { }

    /// <summary>The response family.</summary>
    public required GlmFamily Family { get; init; }

    /// <summary>The link function.</summary>
    public required ILinkFunction Link { get; init; }

    /// <summary>Coefficient names: "(Intercept)" first when there is an intercept, then the column names.</summary>
    public required IReadOnlyList<string> CoefficientNames { get; init; }

    /// <summary>Estimated coefficients; NaN for aliased columns.</summary>
    public required IReadOnlyList<double> Coefficients { get; init; }

    /// <summary>Standard errors sqrt(dispersion * diag((X^T W X)^-1)); NaN for aliased columns.</summary>
    public required IReadOnlyList<double> StandardErrors { get; init; }

    /// <summary>Estimate / standard error (z or t, see <see cref="TestStatistic"/>).</summary>
    public required IReadOnlyList<double> Statistics { get; init; }

    /// <summary>Two-sided p-values of the statistics.</summary>
    public required IReadOnlyList<double> PValues { get; init; }

    /// <summary>Whether the statistics are z (dispersion fixed) or t (dispersion estimated).</summary>
    public required GlmTestStatistic TestStatistic { get; init; }

    /// <summary>The covariance matrix of the coefficients, scaled by the dispersion (R's <c>vcov</c>); NaN rows and columns for aliased coefficients.</summary>
    public required double[,] Covariance { get; init; }

    /// <summary>The unscaled covariance (X^T W X)^-1 at the working weights of the last IRLS step.</summary>
    public required double[,] UnscaledCovariance { get; init; }

    /// <summary>True for each coefficient whose column is aliased (a linear combination of earlier columns).</summary>
    public required IReadOnlyList<bool> Aliased { get; init; }

    /// <summary>The residual deviance.</summary>
    public required double Deviance { get; init; }

    /// <summary>The deviance of the intercept-only model (with the offset), or of the offset alone without an intercept.</summary>
    public required double NullDeviance { get; init; }

    /// <summary>Residual degrees of freedom: rows of positive weight minus the rank.</summary>
    public required int ResidualDegreesOfFreedom { get; init; }

    /// <summary>Null degrees of freedom: rows of positive weight minus 1 with an intercept.</summary>
    public required int NullDegreesOfFreedom { get; init; }

    /// <summary>Rank of the model matrix (number of estimated, non-aliased coefficients).</summary>
    public required int Rank { get; init; }

    /// <summary>The dispersion: 1 for binomial, Poisson and negative binomial; otherwise Pearson chi-square / residual df.</summary>
    public required double Dispersion { get; init; }

    /// <summary>Akaike's information criterion as R computes it, or null for families without a likelihood (quasi, Tweedie).</summary>
    public required double? Aic { get; init; }

    /// <summary>Bayesian information criterion -2 logLik + log(n) df, with n the number of rows (zero weights included, as R's logLik.glm counts them), or null without a likelihood.</summary>
    public required double? Bic { get; init; }

    /// <summary>The maximised log-likelihood (R's <c>logLik</c>), or null without a likelihood.</summary>
    public required double? LogLikelihood { get; init; }

    /// <summary>Number of IRLS iterations.</summary>
    public required int Iterations { get; init; }

    /// <summary>True when the convergence rule held before the iteration limit.</summary>
    public required bool Converged { get; init; }

    /// <summary>True when the last step needed step-halving.</summary>
    public required bool Boundary { get; init; }

    /// <summary>True when the model has an intercept column.</summary>
    public required bool HasIntercept { get; init; }

    /// <summary>Conditions the fit reports instead of failing: non-convergence, separation, aliased columns, ...</summary>
    public required IReadOnlyList<GlmDiagnostic> Diagnostics { get; init; }

    /// <summary>
    /// When the fit reports <see cref="GlmDiagnosticKind.Separation"/>: the unit direction in coefficient space along
    /// which the likelihood keeps increasing (the coefficients with non-zero entries diverge); otherwise null.
    /// </summary>
    public IReadOnlyList<double>? DivergenceDirection { get; init; }

    /// <summary>Number of rows the model was fitted to (zero-weight rows included).</summary>
    public required int RowCount { get; init; }

    /// <summary>Passes over the data a streamed or partitioned fit made (<see cref="Glm.FitStreaming(IGlmChunkSource, GlmFamily, ILinkFunction?, GlmStreamingOptions?)"/>); 0 for a fit in memory.</summary>
    public int DataPasses { get; internal set; }

    /// <summary>True when the fit keeps its per-row results (<see cref="GlmOptions.KeepRowResults"/>).</summary>
    public bool HasRowResults => _fittedValues is not null;

    /// <summary>The fitted means mu.</summary>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public IReadOnlyList<double> FittedValues { get => Padded(_fittedValues ?? throw NoRowResults(nameof(FittedValues))); init => _fittedValues = value; }

    /// <summary>The linear predictors eta (including the offset).</summary>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public IReadOnlyList<double> LinearPredictors { get => Padded(_linearPredictors ?? throw NoRowResults(nameof(LinearPredictors))); init => _linearPredictors = value; }

    /// <summary>A fit from a formula with <see cref="NNLinearity.Formulas.MissingValueAction.Exclude"/>: fitted values, linear predictors and residuals have one entry per table row.</summary>
    internal bool PadsToTable => Design is { } d && d.Recipe.Options.MissingValues == NNLinearity.Formulas.MissingValueAction.Exclude && d.OmittedRows > 0;

    private IReadOnlyList<double> Padded(IReadOnlyList<double> values) => PadsToTable ? Design!.ToTableRows(values) : values;

    /// <summary>Adds a diagnostic found after the fit (by the formula front end).</summary>
    internal void AddDiagnostic(GlmDiagnostic diagnostic) => ((List<GlmDiagnostic>)Diagnostics).Add(diagnostic);

    /// <summary>The prior weights.</summary>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public IReadOnlyList<double> PriorWeights { get => _priorWeights ?? throw NoRowResults(nameof(PriorWeights)); init => _priorWeights = value; }

    /// <summary>The working weights of the last IRLS step (R's <c>fit$weights</c>).</summary>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public IReadOnlyList<double> WorkingWeights { get => _workingWeights ?? throw NoRowResults(nameof(WorkingWeights)); init => _workingWeights = value; }

    /// <summary>The responses.</summary>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public IReadOnlyList<double> Response { get => _response ?? throw NoRowResults(nameof(Response)); init => _response = value; }

    /// <summary>True when the last IRLS steps were solved by the pivoted QR (rather than the Cholesky of X^T W X).</summary>
    public required bool SolvedByQr { get; init; }

    /// <summary>
    /// For a fit from a formula: the design it was fitted on (terms, R's column names and <c>assign</c>, the rows used,
    /// and the coding that <see cref="Predict(NNLinearity.Data.DataTable, GlmPredictionScale)"/> applies to new tables); null for a fit from a matrix.
    /// </summary>
    public NNLinearity.Formulas.ModelDesign? Design { get; internal set; }

    /// <summary>
    /// For a streamed fit from a formula: the coding of new tables (terms, levels, contrasts) without the fitted rows,
    /// which a streamed fit does not keep; <see cref="Predict(NNLinearity.Data.DataTable, GlmPredictionScale)"/> uses
    /// it when <see cref="Design"/> is null.
    /// </summary>
    internal NNLinearity.Formulas.ModelDesign? PredictionDesign { get; set; }

    /// <summary>A fingerprint of the responses and prior weights the fit was made on (compared by analyses of deviance).</summary>
    internal ulong DataFingerprint { get; set; }

    private readonly IReadOnlyList<double>? _fittedValues, _linearPredictors, _priorWeights, _workingWeights, _response;

    private InvalidOperationException NoRowResults(string what) =>
        new(DataPasses > 0
            ? $"{what} is not available: a streamed fit keeps no per-row results (the rows were read in chunks and not kept)."
            : $"{what} is not available: the fit was made with GlmOptions.KeepRowResults = false, which keeps no per-row results.");

    /// <summary>The fitted means of the fitted rows (unpadded).</summary>
    internal IReadOnlyList<double> RawFitted => _fittedValues ?? throw NoRowResults(nameof(FittedValues));

    /// <summary>The linear predictors of the fitted rows (unpadded).</summary>
    internal IReadOnlyList<double> RawLinearPredictors => _linearPredictors ?? throw NoRowResults(nameof(LinearPredictors));

    internal Func<double, double> FittingDerivative { get; init; } = null!;

    internal Func<double, double> FittingMean { get; init; } = null!;
}
