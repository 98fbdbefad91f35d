using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra.Storage;
using NNLinearity.Families;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>
/// Fits generalized linear models by iteratively reweighted least squares, as R's <c>glm</c>: the same starting
/// values, convergence rule, step-halving, rank-deficiency handling and inference.
/// </summary>
/// <remarks>Thread safety: stateless; any number of fits may run at once, each on its own buffers, and give the bits they give alone.</remarks>
public static partial class Glm
{
    /// <summary>Fits a GLM to a design matrix given as a two-dimensional array [rows, columns].</summary>
    /// <param name="x">The predictors, one row per observation (no intercept column: see <see cref="GlmOptions.Intercept"/>).</param>
    /// <param name="y">The responses, one per row.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Weights, offset, starting values and control settings.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Shapes disagree, a value is NaN or infinite, a weight is negative, a response is outside the family's support, the link is not available for the family, or there are no rows.</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance (R's "no valid set of coefficients").</exception>
    public static unsafe GlmFit Fit(double[,] x, IReadOnlyList<double> y, GlmFamily family, ILinkFunction? link = null, GlmOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), k = x.GetLength(1);
        fixed (byte* p = &MemoryMarshal.GetArrayDataReference(x))
        {
            return FitCore(new DesignSource((double*)p, n, k, k, 1, (options ?? new GlmOptions()).Intercept), y, family, link, options);
        }
    }

    /// <summary>Fits a GLM to a row-major design matrix held in a span.</summary>
    /// <param name="x">rows x columns values, row by row (no intercept column).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="y">The responses, one per row.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Weights, offset, starting values and control settings.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">As <see cref="Fit(double[,], IReadOnlyList{double}, GlmFamily, ILinkFunction?, GlmOptions?)"/>, or <paramref name="x"/> does not hold rows x columns values.</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance.</exception>
    public static unsafe GlmFit Fit(ReadOnlySpan<double> x, int rows, int columns, IReadOnlyList<double> y, GlmFamily family, ILinkFunction? link = null, GlmOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != x.Length)
        {
            throw new ArgumentException($"x holds {x.Length} values but rows x columns = {rows} x {columns} = {(long)rows * columns}.", nameof(x));
        }

        fixed (double* p = x)
        {
            return FitCore(new DesignSource(p, rows, columns, columns, 1, (options ?? new GlmOptions()).Intercept), y, family, link, options);
        }
    }

    /// <summary>Fits a GLM to a MathNet.Numerics matrix and vector.</summary>
    /// <param name="x">The predictors (no intercept column).</param>
    /// <param name="y">The responses.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Weights, offset, starting values and control settings.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">As <see cref="Fit(double[,], IReadOnlyList{double}, GlmFamily, ILinkFunction?, GlmOptions?)"/>.</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance.</exception>
    public static unsafe GlmFit Fit(MathNet.Numerics.LinearAlgebra.Matrix<double> x, MathNet.Numerics.LinearAlgebra.Vector<double> y, GlmFamily family, ILinkFunction? link = null, GlmOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        // Dense MathNet matrices are column-major: read in place, without a copy.
        double[] data = x.Storage is DenseColumnMajorMatrixStorage<double> dense ? dense.Data : x.ToColumnMajorArray();
        int n = x.RowCount;
        fixed (double* p = data)
        {
            return FitCore(new DesignSource(p, n, x.ColumnCount, 1, n, (options ?? new GlmOptions()).Intercept), y.ToArray(), family, link, options);
        }
    }

    /// <summary>Fits on a pinned view of the predictors; <paramref name="x"/> must stay valid until it returns.</summary>
    private static unsafe GlmFit FitCore(DesignSource x, IReadOnlyList<double> y, GlmFamily family, ILinkFunction? link, GlmOptions? options)
    {
        int n = x.N, k = x.K;
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(family);
        options ??= new GlmOptions();
        link ??= family.CanonicalLink;
        family.ValidateLink(link, nameof(link));
        CheckOptions(options, nameof(options));
        if (n == 0) throw new ArgumentException("x has no rows: a GLM needs at least one observation.", nameof(x));
        if (y.Count != n) throw new ArgumentException($"y has {y.Count} values but x has {n} rows.", nameof(y));
        int p = k + (options.Intercept ? 1 : 0);
        if (p == 0) throw new ArgumentException("The model has no columns: x has none and the intercept is off.", nameof(x));

        // Predictors are checked for NaN and infinity as each block is read (the first pass reads them all).
        // Every per-row buffer is pooled (without prior weights, one of ones): a fit that keeps per-row results copies
        // them when it is made (KeptRows).
        bool keepRows = options.KeepRowResults;
        using var pool = new RowBuffers();
        double[] w = options.Weights is not null ? ReadVector(options.Weights, n, 1.0, nameof(GlmOptions.Weights), pool)
            : pool.Ones(n);
        if (options.Weights is not null)
        {
            for (int i = 0; i < n; i++)
            {
                if (!(w[i] >= 0)) throw new ArgumentOutOfRangeException(nameof(options), $"Weights[{i}] = {w[i].ToString(CultureInfo.InvariantCulture)}: prior weights must be finite and non-negative.");
            }
        }

        bool hasOffset = options.Offset is not null;
        double[] offset = hasOffset ? ReadVector(options.Offset, n, 0.0, nameof(GlmOptions.Offset), pool) : [];
        double[] response = pool.Rent(n);
        return FitRows(x, y, family, link, options, n, k, p, w, hasOffset, offset, response, keepRows, pool);
    }

    // Not AggressiveOptimization (it runs once per fit); its per-row loop is ReadResponse.
    private static GlmFit FitRows(DesignSource x, IReadOnlyList<double> y, GlmFamily family, ILinkFunction link, GlmOptions options,
        int n, int k, int p, double[] w, bool hasOffset, double[] offset, double[] response, bool keepRows, RowBuffers rowPool)
    {
        ReadResponse(y, family, w, response, n);
        if (w.AsSpan(0, n).IndexOfAnyExcept(0.0) < 0) throw new ArgumentException("Every prior weight is 0: there is nothing to fit.", nameof(options));

        string[] names = ColumnNames(options, k);
        ulong fingerprint = DataFingerprint.Of(response.AsSpan(0, n), w.AsSpan(0, n));

        double[] start = [];
        if (options.Start is not null)
        {
            if (options.Start.Count != p) throw new ArgumentException($"Start has {options.Start.Count} values but the model has {p} coefficients.", nameof(options));
            start = options.Start.ToArray();
            if (IndexOfNonFinite(start) >= 0) throw new ArgumentException("Start contains a non-finite value.", nameof(options));
        }

        double[] mustart = [];
        if (options.StartingMeans is not null)
        {
            mustart = ReadVector(options.StartingMeans, n, 0.0, nameof(GlmOptions.StartingMeans), rowPool);
        }

        using var engine = new IrlsEngine(x, response, w, offset, family, link, options.MaxDegreeOfParallelism);
        IrlsResult r;
        double nullDeviance;
        long announced = keepRows ? KeptRows.Announce(n, options.Weights is not null ? 5 : 4) : 0;
        try
        {
            r = engine.Run(start, mustart.Length == 0 ? [] : mustart.AsSpan(0, n), options.Epsilon, options.MaxIterations, options.Solver, options.SpeculativeFinalPass);
            nullDeviance = NullDeviance(engine, r, response, w, offset, family, link, options, n, hasOffset);
        }
        finally
        {
            KeptRows.Withdraw(announced); // the kept vectors report their own
        }

        GlmFit fit = Infer(r, engine, x, names, family, link, response, w, options.Weights is not null, nullDeviance, options.Intercept, keepRows);
        fit.DataFingerprint = fingerprint;
        return fit;
    }

    /// <summary>
    /// Copies the responses into <paramref name="response"/>, refusing non-finite values and values outside the
    /// family's support, with R's y[weights == 0] &lt;- 0 for binomial fits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static void ReadResponse(IReadOnlyList<double> y, GlmFamily family, double[] w, double[] response, int n)
    {
        if (y is double[] ya) ya.AsSpan().CopyTo(response);
        else for (int i = 0; i < n; i++) response[i] = y[i];
        for (int i = 0; i < n; i++)
        {
            double v = response[i];
            if (!double.IsFinite(v)) ThrowBadResponse(i, v, family);
            if (family is BinomialFamily && w[i] == 0) v = 0; // R: y[weights == 0] <- 0
            if (!family.IsValidResponse(v)) ThrowBadResponse(i, v, family);
            response[i] = v;
        }
    }

    /// <summary>Refuses response y[i] = v: not finite, or outside the family's support (out of line: the loop above stays small).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    private static void ThrowBadResponse(int i, double v, GlmFamily family)
    {
#pragma warning disable CA2208 // the public argument being described is the caller's y
        if (!double.IsFinite(v)) throw new ArgumentException($"y[{i}] is {v.ToString(CultureInfo.InvariantCulture)}: responses must be finite.", "y");
        throw new ArgumentOutOfRangeException("y", v, $"y[{i}] = {v.ToString(CultureInfo.InvariantCulture)} is outside the support of the {family.Name} family ({family.ResponseSupport}).");
#pragma warning restore CA2208
    }

    private static unsafe double NullDeviance(IrlsEngine engine, IrlsResult r, double[] response, double[] w, double[] offset, GlmFamily family, ILinkFunction link, GlmOptions options, int n, bool hasOffset)
    {
        double nullDeviance;
        if (options.Intercept && hasOffset)
        {
            // R refits the intercept-only model with the offset, starting from the full model's fitted values.
            var interceptOnly = new DesignSource(null, n, 0, 0, 0, intercept: true);
            using var nullEngine = new IrlsEngine(interceptOnly, response, w, offset, family, link, options.MaxDegreeOfParallelism);
            nullDeviance = nullEngine.Run([], r.Mu.AsSpan(0, n), options.Epsilon, options.MaxIterations, GlmSolver.Qr).Deviance;
        }
        else
        {
            nullDeviance = NullModelDeviance(engine, response, w, offset, family, options.Intercept, n, hasOffset);
        }

        return nullDeviance;
    }

    /// <summary>The null model's deviance without a refit: the weighted mean with an intercept, else the offset's (or 0's) mean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static double NullModelDeviance(IrlsEngine engine, double[] response, double[] w, double[] offset, GlmFamily family, bool intercept, int n, bool hasOffset)
    {
        double sw = 0, swy = 0;
        for (int i = 0; i < n; i++)
        {
            sw += w[i];
            swy += w[i] * response[i];
        }

        // The same block path as IRLS: one virtual call per 128 rows.
        double nullDeviance = 0;
        const int block = 128;
        double[] mu0 = new double[block], variance = new double[block];
        bool ignored = true;
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int rows = Math.Min(block, n - r0);
            for (int i = 0; i < rows; i++) mu0[i] = intercept ? swy / sw : engine.FittingMean(hasOffset ? offset[r0 + i] : 0.0);
            nullDeviance += family.VarianceAndDeviance(response.AsSpan(r0, rows), mu0.AsSpan(0, rows), w.AsSpan(r0, rows), variance.AsSpan(0, rows), ref ignored);
        }

        return nullDeviance;
    }

    // Not AggressiveOptimization: this body is long (optimising it took about 28 ms of a first fit's compilation) and
    // runs once per fit; its per-row loops are the small optimised helpers below.
    private static GlmFit Infer(IrlsResult r, IrlsEngine engine, DesignSource design, string[] names, GlmFamily family, ILinkFunction link, double[] y, double[] w, bool ownsWeights, double nullDeviance, bool intercept, bool keepRows)
    {
        int n = design.N, p = names.Length;
        IrlsStep step = r.LastStep;
        int nOk = CountPositive(w.AsSpan(0, n));
        int rank = step.Rank;
        int dfResidual = nOk - rank;
        double[] mu = r.Mu, eta = r.Eta, ww = r.WorkingWeights; // the engine's pooled buffers: the fit keeps copies
        var diagnostics = new List<GlmDiagnostic>();

        double dispersion = 1.0;
        if (family.EstimatesDispersion)
        {
            if (dfResidual > 0)
            {
                dispersion = WeightedSquaredWorkingResiduals(engine, y, mu, eta, ww, n) / dfResidual;
            }
            else
            {
                dispersion = double.NaN;
                diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NoResidualDegreesOfFreedom,
                    "No residual degrees of freedom: the dispersion, standard errors and tests are not available (NaN)."));
            }
        }

        double[,] unscaled = step.UnscaledCovariance();
        double[,] cov = new double[p, p];
        double[] coef = new double[p], se = new double[p], stat = new double[p], pval = new double[p];
        bool estimated = family.EstimatesDispersion;
        for (int j = 0; j < p; j++)
        {
            for (int l = 0; l < p; l++) cov[j, l] = dispersion * unscaled[j, l];
            coef[j] = step.Aliased[j] ? double.NaN : r.Beta[j];
            se[j] = Math.Sqrt(cov[j, j]);
            stat[j] = coef[j] / se[j];
            pval[j] = estimated ? Distributions.StudentTTwoSided(stat[j], dfResidual) : 2 * Special.NormalCdf(-Math.Abs(stat[j]));
        }

        double? aicTerm = family.AicTerm(y.AsSpan(0, n), mu.AsSpan(0, n), w.AsSpan(0, n), r.Deviance);
        double? aic = aicTerm + 2 * rank;
        int dfModel = rank + family.ExtraParameters;
        double? logLik = aic is double a ? dfModel - a / 2 : null;
        // R's BIC takes the number of observations from logLik.glm: every row with a residual, zero weights included.
        double? bic = logLik is double ll ? -2 * ll + Math.Log(n) * dfModel : null;

        if (!r.Converged) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NotConverged, $"IRLS did not converge in {r.Iterations} iterations."));
        if (r.HalvedForDivergence.Count > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.StepHalving,
                $"Step size truncated due to divergence at iteration(s) {string.Join(", ", r.HalvedForDivergence)}: step-halving brought the deviance back to a finite value."));
        }

        if (r.HalvedOutOfBounds.Count > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.StepHalving,
                $"Step size truncated: out of bounds at iteration(s) {string.Join(", ", r.HalvedOutOfBounds)}: step-halving brought eta and mu back inside their valid range."));
        }

        if (family is PoissonFamily and not QuasiPoissonFamily or NegativeBinomialFamily && FirstNonInteger(y.AsSpan(0, n), w.AsSpan(0, n)) is int bad)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NonIntegerCounts, family is PoissonFamily
                ? $"Non-integer counts in a Poisson GLM (y[{bad}] = {y[bad].ToString(CultureInfo.InvariantCulture)}): the Poisson likelihood is 0 there, so AIC and BIC are infinite (as in R); consider quasipoisson."
                : $"Non-integer counts in a negative binomial GLM (y[{bad}] = {y[bad].ToString(CultureInfo.InvariantCulture)}): the AIC uses the continuous extension lgamma(y + 1), as MASS does."));
        }

        if (family.EstimatesDispersion && dfResidual > 0 && IsPerfectFit(family, y.AsSpan(0, n), mu.AsSpan(0, n), w.AsSpan(0, n), dispersion) is string why)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.PerfectFit, why));
        }
        if (r.Boundary) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.Boundary, "The algorithm stopped at a boundary value (step-halving was needed)."));
        const double tiny = 10 * Special.Epsilon;
        if (family is BinomialFamily)
        {
            int count = CountOutside(mu.AsSpan(0, n), tiny, 1 - tiny);
            if (count > 0)
            {
                diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FittedProbabilitiesZeroOrOne,
                    $"Fitted probabilities numerically 0 or 1 occurred ({count} rows): the data are (quasi-)completely separated and some coefficients diverge."));
            }

            if (AnyNonIntegerSuccesses(y.AsSpan(0, n), w.AsSpan(0, n))) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NonIntegerSuccesses, "Non-integer numbers of successes (weights x y) in a binomial GLM."));
        }

        if (family is PoissonFamily && mu.AsSpan(0, n).IndexOfAnyInRange(double.NegativeInfinity, tiny) >= 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FittedRatesZero, "Fitted rates numerically 0 occurred."));
        }

        double[]? direction = Separation.Certify(family, link, design, y, w, mu, r.Beta, r.PreviousBeta, step.Aliased);
        if (direction is not null)
        {
            string diverging = string.Join(", ", names.Where((_, j) => Math.Abs(direction[j]) > 1e-3));
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.Separation, family is BinomialFamily
                ? $"The maximum likelihood estimate does not exist: the data are (quasi-)completely separated; coefficients diverge: {diverging}."
                : $"The maximum likelihood estimate does not exist: zero counts lie on a face of the design; coefficients diverge: {diverging}."));
        }

        var overflow = new List<string>();
        for (int j = 0; j < p; j++)
        {
            if (step.Aliased[j] || (dispersion is double.NaN && family.EstimatesDispersion)) continue;
            if (!double.IsFinite(coef[j])) overflow.Add($"the estimate of {names[j]} is {coef[j].ToString(CultureInfo.InvariantCulture)}");
            else if (!double.IsFinite(se[j])) overflow.Add($"the standard error of {names[j]} is {se[j].ToString(CultureInfo.InvariantCulture)}");
            else if (double.IsNaN(stat[j]) || double.IsNaN(pval[j])) overflow.Add($"the test of {names[j]} is NaN");
        }

        if (!double.IsFinite(r.Deviance)) overflow.Add($"the deviance is {r.Deviance.ToString(CultureInfo.InvariantCulture)}");
        if (!double.IsFinite(nullDeviance)) overflow.Add($"the null deviance is {nullDeviance.ToString(CultureInfo.InvariantCulture)}");
        if (aic is double aicValue && !double.IsFinite(aicValue) && !diagnostics.Exists(d => d.Kind == GlmDiagnosticKind.NonIntegerCounts))
        {
            overflow.Add($"the AIC is {aicValue.ToString(CultureInfo.InvariantCulture)}");
        }

        if (overflow.Count > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NonFiniteResult,
                $"Results beyond double's range: {string.Join("; ", overflow)}. The columns or the response are scaled too far from 1 for these quantities; rescale them."));
        }

        if (rank < p)
        {
            string aliased = string.Join(", ", names.Where((_, j) => step.Aliased[j]));
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.AliasedColumns, $"{p - rank} coefficient(s) not defined because of singularities: {aliased}."));
        }

        return new GlmFit
        {
            Family = family,
            Link = link,
            CoefficientNames = names,
            Coefficients = coef,
            StandardErrors = se,
            Statistics = stat,
            PValues = pval,
            TestStatistic = estimated ? GlmTestStatistic.T : GlmTestStatistic.Z,
            Covariance = cov,
            UnscaledCovariance = unscaled,
            Aliased = step.Aliased,
            Deviance = r.Deviance,
            NullDeviance = nullDeviance,
            ResidualDegreesOfFreedom = dfResidual,
            NullDegreesOfFreedom = nOk - (intercept ? 1 : 0),
            Rank = rank,
            Dispersion = dispersion,
            Aic = aic,
            Bic = bic,
            LogLikelihood = logLik,
            Iterations = r.Iterations,
            Converged = r.Converged,
            Boundary = r.Boundary,
            HasIntercept = intercept,
            Diagnostics = diagnostics,
            RowCount = n,
            FittedValues = keepRows ? KeptRows.Copy(mu.AsSpan(0, n)) : null!,
            LinearPredictors = keepRows ? KeptRows.Copy(eta.AsSpan(0, n)) : null!,
            PriorWeights = !keepRows ? null! : ownsWeights ? KeptRows.Copy(w.AsSpan(0, n)) : new ConstantVector(1.0, n),
            WorkingWeights = keepRows ? KeptRows.Copy(ww.AsSpan(0, n)) : null!,
            Response = keepRows ? KeptRows.Copy(y.AsSpan(0, n)) : null!,
            SolvedByQr = step.UsedQr,
            DivergenceDirection = direction,
            FittingDerivative = engine.FittingDerivative,
            FittingMean = engine.FittingMean,
        };
    }

    /// <summary>The options a fit refuses whatever the data: each message names the option and its value.</summary>
    private static void CheckOptions(GlmOptions options, string name)
    {
        if (!(options.Epsilon > 0) || double.IsInfinity(options.Epsilon)) throw new ArgumentOutOfRangeException(name, options.Epsilon, $"Epsilon is {options.Epsilon.ToString(CultureInfo.InvariantCulture)}; it must be positive and finite.");
        if (options.MaxIterations < 1) throw new ArgumentOutOfRangeException(name, options.MaxIterations, $"MaxIterations is {options.MaxIterations}; it must be at least 1.");
        if (!Enum.IsDefined(options.Solver)) throw new ArgumentOutOfRangeException(name, options.Solver, $"Solver {(int)options.Solver} is not one of {string.Join(", ", Enum.GetNames<GlmSolver>())}.");
        if (options.MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(name, options.MaxDegreeOfParallelism, $"MaxDegreeOfParallelism is {options.MaxDegreeOfParallelism}; it must be -1 (all processors) or at least 1.");
        }
    }

    private static string[] ColumnNames(GlmOptions options, int k)
    {
        IReadOnlyList<string>? given = options.ColumnNames;
        if (given is not null && given.Count != k)
        {
            throw new ArgumentException($"ColumnNames has {given.Count} names but x has {k} columns.", nameof(options));
        }

        if (given is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int j = 0; j < k; j++)
            {
                string? c = given[j];
                if (string.IsNullOrWhiteSpace(c)) throw new ArgumentException($"ColumnNames[{j}] is {(c is null ? "null" : $"\"{c}\"")}; every column needs a name.", nameof(options));
                if (options.Intercept && c == "(Intercept)") throw new ArgumentException($"ColumnNames[{j}] is \"(Intercept)\", the intercept's name; name the column otherwise or set Intercept = false.", nameof(options));
                if (!seen.Add(c)) throw new ArgumentException($"ColumnNames[{j}] is \"{c}\", a name already given to an earlier column; names must be unique.", nameof(options));
            }
        }

        var names = new List<string>(k + 1);
        if (options.Intercept) names.Add("(Intercept)");
        for (int j = 0; j < k; j++) names.Add(given?[j] ?? "x" + (j + 1).ToString(CultureInfo.InvariantCulture));
        return names.ToArray();
    }

    /// <summary>A checked copy of an optional per-row vector (a pooled buffer when <paramref name="pool"/> is given; its first n entries).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static double[] ReadVector(IReadOnlyList<double>? values, int n, double fill, string name, RowBuffers? pool)
    {
#pragma warning disable CA2208 // the caller's public parameter is options; the message names the option

        double[] v = pool?.Rent(n) ?? new double[n];
        if (values is null)
        {
            v.AsSpan(0, n).Fill(fill);
            return v;
        }

        if (values.Count != n) throw new ArgumentException($"{name} has {values.Count} values but x has {n} rows.", "options");
        for (int i = 0; i < n; i++)
        {
            v[i] = values[i];
            if (!double.IsFinite(v[i])) throw new ArgumentException($"{name}[{i}] is {v[i].ToString(CultureInfo.InvariantCulture)}: it must be finite.", "options");
        }

        return v;
#pragma warning restore CA2208
    }

    /// <summary>The number of positive entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static int CountPositive(ReadOnlySpan<double> values)
    {
        int count = 0;
        foreach (double v in values) count += v > 0 ? 1 : 0;
        return count;
    }

    /// <summary>The number of entries below <paramref name="lo"/> or above <paramref name="hi"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static int CountOutside(ReadOnlySpan<double> values, double lo, double hi)
    {
        int count = 0;
        foreach (double m in values) count += m > hi || m < lo ? 1 : 0;
        return count;
    }

    /// <summary>True when some w y is more than 1e-3 from an integer (R's warning for binomial fits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static bool AnyNonIntegerSuccesses(ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        bool nonInteger = false;
        for (int i = 0; i < y.Length; i++) nonInteger |= Math.Abs(w[i] * y[i] - Math.Round(w[i] * y[i])) > 1e-3;
        return nonInteger;
    }

    /// <summary>R's Pearson sum for the dispersion: sum of w_i ((y_i - mu_i) / (dmu/deta)_i)^2 over rows with positive working weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static double WeightedSquaredWorkingResiduals(IrlsEngine engine, double[] y, double[] mu, double[] eta, double[] ww, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            if (ww[i] > 0)
            {
                double res = (y[i] - mu[i]) / engine.FittingDerivative(eta[i]);
                s += ww[i] * res * res;
            }
        }

        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static int? FirstNonInteger(ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        for (int i = 0; i < y.Length; i++)
        {
            if (w[i] > 0 && y[i] != Math.Floor(y[i])) return i;
        }

        return null;
    }

    /// <summary>
    /// R's summary.lm rule, residual variance &lt; 1e-30 (mean(f)^2 + var(f)) over the fitted values f, for the
    /// Gaussian family; for the other families with an estimated dispersion, the same rule on the Pearson scale,
    /// dispersion &lt; 1e-30 mean(mu^2 / V(mu)). Null when the fit is not essentially perfect.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    private static string? IsPerfectFit(GlmFamily family, ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> w, double dispersion)
    {
        int m = 0;
        double mean = 0, scale = 0;
        for (int i = 0; i < mu.Length; i++)
        {
            if (w[i] <= 0) continue;
            m++;
            mean += (mu[i] - mean) / m;
            scale += family is GaussianFamily ? 0 : mu[i] * mu[i] / family.Variance(mu[i]);
        }

        if (family is GaussianFamily)
        {
            double ss = 0;
            for (int i = 0; i < mu.Length; i++)
            {
                if (w[i] > 0) ss += (mu[i] - mean) * (mu[i] - mean);
            }

            scale = mean * mean + (m > 1 ? ss / (m - 1) : 0);
        }
        else
        {
            scale /= m;
        }

        if (!(dispersion < 1e-30 * scale) && !(dispersion == 0)) return null;
        int first = -1;
        bool constant = true;
        for (int i = 0; i < y.Length; i++)
        {
            if (w[i] <= 0) continue;
            if (first < 0) first = i;
            else constant &= y[i] == y[first];
        }

        string what = constant ? $"the response is constant ({y[first].ToString(CultureInfo.InvariantCulture)})" : "the columns reproduce the response exactly";
        return $"Essentially perfect fit: {what}; the dispersion {dispersion.ToString("G3", CultureInfo.InvariantCulture)} is rounding, so standard errors, test statistics and p-values are unreliable.";
    }

    private static int IndexOfNonFinite(ReadOnlySpan<double> v)
    {
        for (int i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i])) return i;
        }

        return -1;
    }
}
