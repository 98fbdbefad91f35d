using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>How the squared score of each row is weighted in a sandwich covariance (R's <c>sandwich::vcovHC</c> types).</summary>
public enum RobustCovarianceType
{
    /// <summary>White's estimator: the squared working residual times the working weight squared, unweighted.</summary>
    HC0,

    /// <summary>HC0 times n / (n - k), the degrees-of-freedom correction.</summary>
    HC1,

    /// <summary>Each row's term divided by 1 - h_i (h the hat value).</summary>
    HC2,

    /// <summary>Each row's term divided by (1 - h_i)^2, the jackknife approximation (sandwich's default).</summary>
    HC3,
}

/// <summary>
/// Wald z tests of the coefficients with a chosen covariance (R's <c>lmtest::coeftest(fit, vcov = V)</c>, which uses
/// the normal distribution for GLMs). Aliased coefficients have NaN entries.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class CoefficientTest
{
    internal CoefficientTest(IReadOnlyList<string> names, double[] estimates, double[] standardErrors, bool[] aliased)
    {
        Names = names;
        Estimates = estimates;
        StandardErrors = standardErrors;
        Aliased = aliased;
        Statistics = estimates.Select((b, j) => aliased[j] ? double.NaN : b / standardErrors[j]).ToArray();
        PValues = Statistics.Select(z => double.IsNaN(z) ? double.NaN : 2 * Special.NormalCdf(-Math.Abs(z))).ToArray();
    }

    /// <summary>The coefficients' names.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The estimates.</summary>
    public IReadOnlyList<double> Estimates { get; }

    /// <summary>The standard errors: square roots of the covariance's diagonal.</summary>
    public IReadOnlyList<double> StandardErrors { get; }

    /// <summary>Estimate / standard error.</summary>
    public IReadOnlyList<double> Statistics { get; }

    /// <summary>Two-sided normal p-values.</summary>
    public IReadOnlyList<double> PValues { get; }

    /// <summary>Whether each coefficient is aliased (not estimable).</summary>
    public IReadOnlyList<bool> Aliased { get; }

    /// <summary>The table in R's layout (<c>print(coeftest(...))</c>).</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine();
        sb.AppendLine("z test of coefficients:");
        sb.AppendLine();
        sb.Append(RFormat.CoefficientMatrix(Names, Estimates, StandardErrors, Statistics, PValues, Aliased, "z value", "Pr(>|z|)", digits: 5)); // print.coeftest's digits
        return sb.ToString();
    }
}

/// <summary>
/// Influence measures of a GLM's rows (R's <c>influence.measures</c>, <c>hatvalues</c>, <c>rstandard</c>,
/// <c>rstudent</c>, <c>cooks.distance</c>, <c>dfbeta</c>, <c>dfbetas</c>, <c>dffits</c>, <c>covratio</c>), one entry per
/// fitted row. Rows with prior weight 0 take no part in the fit; R drops them, here their entries are NaN (0 for the
/// hat value) and they are listed in <see cref="ZeroWeightRows"/>.
/// </summary>
/// <remarks>Thread safety: immutable after construction; safe to share across threads (do not write into the arrays).</remarks>
public sealed class GlmInfluence
{
    internal GlmInfluence() { }

    /// <summary>h_i: the diagonal of W^1/2 X (X^T W X)^-1 X^T W^1/2 with the working weights; they sum to the rank.</summary>
    public double[] Hat { get; internal init; } = [];

    /// <summary>Deviance residuals / sqrt(phi (1 - h_i)) (<c>rstandard(fit)</c>).</summary>
    public double[] StandardizedDevianceResiduals { get; internal init; } = [];

    /// <summary>Pearson residuals / sqrt(phi (1 - h_i)) (<c>rstandard(fit, type = "pearson")</c>).</summary>
    public double[] StandardizedPearsonResiduals { get; internal init; } = [];

    /// <summary>
    /// sign(d_i) sqrt(d_i^2 + h_i r_i^2 / (1 - h_i)) with d the deviance and r the Pearson residual, divided by the
    /// leave-one-out sigma except for the binomial and Poisson families (<c>rstudent(fit)</c>).
    /// </summary>
    public double[] StudentizedResiduals { get; internal init; } = [];

    /// <summary>(r_i / (1 - h_i))^2 h_i / (phi rank) with r the Pearson residual (<c>cooks.distance(fit)</c>).</summary>
    public double[] CooksDistance { get; internal init; } = [];

    /// <summary>
    /// The one-step change in the coefficients when row i is left out, [rows, coefficients] (<c>dfbeta(fit)</c>):
    /// (X^T W X)^-1 x_i sqrt(w_i) d_i / (1 - h_i), d the deviance residual, as R's lm.influence computes it for GLMs.
    /// Aliased coefficients' columns are NaN.
    /// </summary>
    public double[,] DfBeta { get; internal init; } = new double[0, 0];

    /// <summary>DfBeta scaled by the leave-one-out sigma and the coefficient's unscaled standard error (<c>dfbetas(fit)</c>).</summary>
    public double[,] DfBetas { get; internal init; } = new double[0, 0];

    /// <summary>d_i sqrt(h_i) / (sigma_(i) (1 - h_i)) (<c>dffits(fit)</c>).</summary>
    public double[] DfFits { get; internal init; } = [];

    /// <summary>(sigma_(i) / s)^(2 rank) / (1 - h_i) (<c>covratio(fit)</c>).</summary>
    public double[] CovarianceRatio { get; internal init; } = [];

    /// <summary>sigma_(i) = sqrt((sum d^2 - d_i^2 / (1 - h_i)) / (n - rank - 1)), the leave-one-out scale (lm.influence's sigma).</summary>
    public double[] LeaveOneOutSigma { get; internal init; } = [];

    /// <summary>
    /// Rows flagged by any of influence.measures' rules: |dfbetas| &gt; 1, |dffits| &gt; 3 sqrt(k / (n - k)),
    /// |1 - covratio| &gt; 3 k / (n - k), the F(k, n - k) CDF at Cook's distance &gt; 0.5, or h &gt; 3 k / n (k the rank,
    /// n the rows with a positive hat value).
    /// </summary>
    public bool[] Influential { get; internal init; } = [];

    /// <summary>Fitted rows with prior weight 0 (their measures are NaN).</summary>
    public IReadOnlyList<int> ZeroWeightRows { get; internal init; } = [];
}

public sealed partial class GlmFit
{
    /// <summary>
    /// The heteroskedasticity-consistent (sandwich) covariance of the coefficients, as R's
    /// <c>sandwich::vcovHC(fit, type)</c> computes it for a glm: C (sum_i omega_i (w_i e_i)^2 x_i x_i^T) C scaled by
    /// (n_w / n)^2, with C the unscaled covariance (X^T W X)^-1, e the working residuals, w the working weights, n the
    /// rows and n_w those with a positive prior weight. For a fit made from a formula (its design is kept).
    /// Aliased coefficients' rows and columns are NaN.
    /// </summary>
    /// <param name="type">HC0 to HC3 (HC3, sandwich's default, unless given).</param>
    /// <returns>The covariance [coefficients, coefficients].</returns>
    /// <exception cref="InvalidOperationException">The fit was made from a matrix (pass it), or without per-row results.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not defined.</exception>
    public double[,] RobustCovariance(RobustCovarianceType type = RobustCovarianceType.HC3) => RobustCovarianceCore(FittedDesign(null, "x"), type);

    /// <summary>The sandwich covariance (see <see cref="RobustCovariance(RobustCovarianceType)"/>) of a fit made from a matrix.</summary>
    /// <param name="x">The predictors the model was fitted to, row-major [rows, columns] without the intercept column.</param>
    /// <param name="type">HC0 to HC3.</param>
    /// <returns>The covariance [coefficients, coefficients].</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not the fitted design: wrong size, a non-finite value, or the score equations do not hold for it.</exception>
    /// <exception cref="InvalidOperationException">The fit was made without per-row results.</exception>
    public double[,] RobustCovariance(double[] x, RobustCovarianceType type = RobustCovarianceType.HC3) => RobustCovarianceCore(FittedDesign(x, nameof(x)), type);

    /// <summary>
    /// The one-way cluster-robust covariance, as R's <c>sandwich::vcovCL(fit, cluster, type, cadjust)</c>:
    /// C (sum_g s_g s_g^T) C scaled by (n_w / n)^2, with s_g the sum of w_i e_i x_i over cluster g, times G / (G - 1)
    /// when <paramref name="adjust"/> and (n - 1) / (n - k) for HC1. For a fit made from a formula.
    /// </summary>
    /// <typeparam name="TCluster">The cluster label's type.</typeparam>
    /// <param name="cluster">One label per fitted row (or per table row for a formula fit that dropped rows).</param>
    /// <param name="type">HC0 (vcovCL's default for glm objects) or HC1.</param>
    /// <param name="adjust">Apply the G / (G - 1) small-sample adjustment (vcovCL's <c>cadjust</c>).</param>
    /// <returns>The covariance [coefficients, coefficients].</returns>
    /// <exception cref="ArgumentException">The labels' count differs from the rows, a label is null, there is only one cluster, or the type is HC2/HC3.</exception>
    public double[,] ClusterRobustCovariance<TCluster>(IReadOnlyList<TCluster> cluster, RobustCovarianceType type = RobustCovarianceType.HC0, bool adjust = true)
        where TCluster : notnull
        => ClusterCore(FittedDesign(null, "x"), cluster, type, adjust);

    /// <summary>The cluster-robust covariance (see <see cref="ClusterRobustCovariance{TCluster}(IReadOnlyList{TCluster}, RobustCovarianceType, bool)"/>) of a fit made from a matrix.</summary>
    /// <typeparam name="TCluster">The cluster label's type.</typeparam>
    /// <param name="x">The predictors the model was fitted to, row-major [rows, columns] without the intercept column.</param>
    /// <param name="cluster">One label per row.</param>
    /// <param name="type">HC0 or HC1.</param>
    /// <param name="adjust">Apply the G / (G - 1) adjustment.</param>
    /// <returns>The covariance [coefficients, coefficients].</returns>
    /// <exception cref="ArgumentException">See the formula overload; also when <paramref name="x"/> is not the fitted design.</exception>
    public double[,] ClusterRobustCovariance<TCluster>(double[] x, IReadOnlyList<TCluster> cluster, RobustCovarianceType type = RobustCovarianceType.HC0, bool adjust = true)
        where TCluster : notnull
        => ClusterCore(FittedDesign(x, nameof(x)), cluster, type, adjust);

    /// <summary>Wald z tests of the coefficients with the given covariance (R's <c>lmtest::coeftest(fit, vcov = V)</c>).</summary>
    /// <param name="covariance">A covariance of the coefficients, e.g. <see cref="RobustCovariance(RobustCovarianceType)"/>.</param>
    /// <returns>Estimates, standard errors, z statistics and p-values, printable in R's layout.</returns>
    /// <exception cref="ArgumentException">The covariance's size differs from the coefficients', or an estimable coefficient's variance is negative or not finite.</exception>
    public CoefficientTest TestCoefficients(double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(covariance);
        int p = CoefficientCount;
        if (covariance.GetLength(0) != p || covariance.GetLength(1) != p)
        {
            throw new ArgumentException($"covariance is {covariance.GetLength(0)} x {covariance.GetLength(1)}; the model has {p} coefficients.", nameof(covariance));
        }

        var se = new double[p];
        var est = new double[p];
        var aliased = new bool[p];
        for (int j = 0; j < p; j++)
        {
            aliased[j] = Aliased[j];
            est[j] = Aliased[j] ? double.NaN : Coefficients[j];
            if (Aliased[j]) { se[j] = double.NaN; continue; }
            double v = covariance[j, j];
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"covariance[{j}, {j}] is {v}; a variance must be finite and non-negative."), nameof(covariance));
            se[j] = Math.Sqrt(v);
        }

        return new CoefficientTest(CoefficientNames, est, se, aliased);
    }

    /// <summary>Influence measures of the fitted rows (R's <c>influence.measures(fit)</c> and its parts), for a fit made from a formula.</summary>
    /// <returns>The measures.</returns>
    /// <exception cref="InvalidOperationException">The fit was made from a matrix (pass it), or without per-row results, or it has no residual degrees of freedom beyond one.</exception>
    public GlmInfluence Influence() => InfluenceCore(FittedDesign(null, "x"));

    /// <summary>Influence measures (see <see cref="Influence()"/>) of a fit made from a matrix.</summary>
    /// <param name="x">The predictors the model was fitted to, row-major [rows, columns] without the intercept column.</param>
    /// <returns>The measures.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not the fitted design.</exception>
    public GlmInfluence Influence(double[] x) => InfluenceCore(FittedDesign(x, nameof(x)));

    /// <summary>The fitted rows' design with its intercept column, row-major [n, p], from the formula's design or the caller's matrix (checked).</summary>
    private (double[] X, int N, int P) FittedDesign(double[]? x, string name)
    {
        if (!HasRowResults) throw NoRowResults("robust covariances and influence measures");
        int n = _response!.Count, p = CoefficientCount;
        if (x is null)
        {
            if (Design is null) throw new InvalidOperationException("This fit was made from a matrix: pass the matrix it was fitted to.");
            if (Design.ColumnCount != p) throw new InvalidOperationException($"The kept design has {Design.ColumnCount} columns but the fit has {p} coefficients.");
            return (Design.MatrixArray, n, p);
        }

        int k = p - (HasIntercept ? 1 : 0);
        if ((long)n * k != x.Length) throw new ArgumentException($"{name} has {x.Length} values; the fit has {n} rows x {k} columns = {(long)n * k}.", name);
        var full = new double[(long)n * p];
        int skip = HasIntercept ? 1 : 0;
        for (int i = 0; i < n; i++)
        {
            if (HasIntercept) full[(long)i * p] = 1;
            for (int j = 0; j < k; j++)
            {
                double v = x[(long)i * k + j];
                if (!double.IsFinite(v)) throw new ArgumentException($"{name}[{i * (long)k + j}] (row {i}, column {j}) is {v.ToString(CultureInfo.InvariantCulture)}; the fitted design is finite.", name);
                full[(long)i * p + j + skip] = v;
            }
        }

        CheckScore(full, n, p, name);
        return (full, n, p);
    }

    /// <summary>
    /// At the fitted coefficients the score X^T W e (e the working residuals) vanishes up to IRLS's convergence: a
    /// matrix that is not the fitted design leaves it far from 0. Refused when a column's score exceeds 1e-4 of the
    /// sum of its terms' magnitudes, only for converged fits whose estimate exists: where fitted probabilities or rates
    /// reach 0 or 1 (separation) the coefficients diverge and the score need not vanish (binomial/cloglog on 44 rows
    /// converges by R's rule at coefficients of 1e14 with a score of -5 against magnitudes of 11), and the fit already
    /// carries that diagnostic.
    /// </summary>
    private void CheckScore(double[] x, int n, int p, string name)
    {
        if (!Converged || Diagnostics.Any(d => d.Kind is GlmDiagnosticKind.FittedProbabilitiesZeroOrOne or GlmDiagnosticKind.FittedRatesZero or GlmDiagnosticKind.Separation)) return;
        double[] e = WorkingScores();
        for (int j = 0; j < p; j++)
        {
            if (Aliased[j]) continue;
            double s = 0, a = 0;
            for (int i = 0; i < n; i++)
            {
                double t = e[i] * x[(long)i * p + j];
                s += t;
                a += Math.Abs(t);
            }

            if (Math.Abs(s) > 1e-4 * a)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{name} is not the design this model was fitted to: the score of {CoefficientNames[j]} is {s:G4} (its terms' magnitudes sum to {a:G4}); at the fitted coefficients it is 0."), name);
            }
        }
    }

    /// <summary>w_i e_i: working weight times working residual per fitted row (sandwich's estfun before the dispersion).</summary>
    private double[] WorkingScores()
    {
        double[] e = RawResiduals(GlmResidualType.Working);
        IReadOnlyList<double> ww = _workingWeights!;
        for (int i = 0; i < e.Length; i++) e[i] = ww[i] == 0 ? 0 : e[i] * ww[i];
        return e;
    }

    private int[] LiveColumns() => Enumerable.Range(0, CoefficientCount).Where(j => !Aliased[j]).ToArray();

    private double[] HatValues(double[] x, int n, int p, int[] live)
    {
        var h = new double[n];
        IReadOnlyList<double> ww = _workingWeights!;
        var xr = new double[live.Length];
        for (int i = 0; i < n; i++)
        {
            if (ww[i] == 0) continue;
            for (int a = 0; a < live.Length; a++) xr[a] = x[(long)i * p + live[a]];
            double q = 0;
            for (int a = 0; a < live.Length; a++)
            {
                double s = 0;
                for (int b = 0; b < live.Length; b++) s += UnscaledCovariance[live[a], live[b]] * xr[b];
                q += xr[a] * s;
            }

            h[i] = ww[i] * q;
        }

        return h;
    }

    /// <summary>C M C on the estimable coefficients, times scale; NaN rows and columns for aliased ones.</summary>
    private double[,] Sandwich(double[,] meat, int[] live, double scale)
    {
        int p = CoefficientCount, r = live.Length;
        var cm = new double[r, r];
        for (int a = 0; a < r; a++)
        {
            for (int b = 0; b < r; b++)
            {
                double s = 0;
                for (int c = 0; c < r; c++) s += UnscaledCovariance[live[a], live[c]] * meat[c, b];
                cm[a, b] = s;
            }
        }

        var v = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++) v[a, b] = double.NaN;
        }

        for (int a = 0; a < r; a++)
        {
            for (int b = 0; b < r; b++)
            {
                double s = 0;
                for (int c = 0; c < r; c++) s += cm[a, c] * UnscaledCovariance[live[c], live[b]];
                v[live[a], live[b]] = s * scale;
            }
        }

        return v;
    }

    private int PositiveWeightRows()
    {
        int m = 0;
        foreach (double w in _priorWeights!) if (w > 0) m++;
        return m;
    }

    private double[,] RobustCovarianceCore((double[] X, int N, int P) d, RobustCovarianceType type)
    {
        if (!Enum.IsDefined(type)) throw new ArgumentOutOfRangeException(nameof(type), type, $"type {(int)type} is not one of {string.Join(", ", Enum.GetNames<RobustCovarianceType>())}.");
        (double[] x, int n, int p) = d;
        int[] live = LiveColumns();
        int k = live.Length;
        double[] s = WorkingScores();
        double[]? h = type is RobustCovarianceType.HC2 or RobustCovarianceType.HC3 ? HatValues(x, n, p, live) : null;
        var meat = new double[k, k];
        for (int i = 0; i < n; i++)
        {
            if (s[i] == 0) continue;
            double omega = s[i] * s[i];
            if (type == RobustCovarianceType.HC2) omega /= 1 - h![i];
            else if (type == RobustCovarianceType.HC3) omega /= (1 - h![i]) * (1 - h[i]);
            for (int a = 0; a < k; a++)
            {
                double xa = omega * x[(long)i * p + live[a]];
                for (int b = 0; b <= a; b++) meat[a, b] += xa * x[(long)i * p + live[b]];
            }
        }

        Symmetrise(meat);
        double nw = PositiveWeightRows();
        double scale = nw / n * (nw / n);
        if (type == RobustCovarianceType.HC1) scale *= (double)n / (n - k);
        double[,] v = Sandwich(meat, live, scale);
        ReportNonFinite(v, $"the {type} covariance");
        return v;
    }

    private double[,] ClusterCore<TCluster>((double[] X, int N, int P) d, IReadOnlyList<TCluster> cluster, RobustCovarianceType type, bool adjust)
        where TCluster : notnull
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (!Enum.IsDefined(type)) throw new ArgumentOutOfRangeException(nameof(type), type, $"type {(int)type} is not one of {string.Join(", ", Enum.GetNames<RobustCovarianceType>())}.");
        if (type is not (RobustCovarianceType.HC0 or RobustCovarianceType.HC1))
        {
            throw new ArgumentException($"type {type}: cluster-robust covariances are computed for HC0 and HC1.", nameof(type));
        }

        (double[] x, int n, int p) = d;
        IReadOnlyList<TCluster> labels = cluster;
        if (Design is { } design && cluster.Count == design.TotalRows && design.TotalRows != n)
        {
            labels = design.RowsUsed.Select(r => cluster[r]).ToArray(); // table rows -> fitted rows
        }

        if (labels.Count != n) throw new ArgumentException($"cluster has {cluster.Count} labels; the fit has {n} rows{(Design is { } dd && dd.TotalRows != n ? $" (its table {dd.TotalRows})" : "")}.", nameof(cluster));
        var index = new Dictionary<TCluster, int>();
        var g = new int[n];
        for (int i = 0; i < n; i++)
        {
            TCluster label = labels[i] ?? throw new ArgumentException($"cluster[{i}] is null; every row needs a cluster.", nameof(cluster));
            if (!index.TryGetValue(label, out int c)) index[label] = c = index.Count;
            g[i] = c;
        }

        int groups = index.Count;
        if (groups < 2) throw new ArgumentException($"cluster has {groups} distinct label(s); a cluster-robust covariance needs at least 2 clusters.", nameof(cluster));
        int[] live = LiveColumns();
        int k = live.Length;
        double[] s = WorkingScores();
        var sums = new double[groups, k];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < k; a++) sums[g[i], a] += s[i] * x[(long)i * p + live[a]];
        }

        var meat = new double[k, k];
        for (int c = 0; c < groups; c++)
        {
            for (int a = 0; a < k; a++)
            {
                for (int b = 0; b <= a; b++) meat[a, b] += sums[c, a] * sums[c, b];
            }
        }

        Symmetrise(meat);
        double nw = PositiveWeightRows();
        double scale = nw / n * (nw / n);
        if (adjust) scale *= groups / (groups - 1.0);
        if (type == RobustCovarianceType.HC1) scale *= (n - 1.0) / (n - k);
        double[,] v = Sandwich(meat, live, scale);
        ReportNonFinite(v, "the cluster-robust covariance");
        return v;
    }

    private static void Symmetrise(double[,] m)
    {
        for (int a = 0; a < m.GetLength(0); a++)
        {
            for (int b = 0; b < a; b++) m[b, a] = m[a, b];
        }
    }

    private void ReportNonFinite(double[,] v, string what)
    {
        for (int a = 0; a < CoefficientCount; a++)
        {
            if (Aliased[a]) continue;
            for (int b = 0; b < CoefficientCount; b++)
            {
                if (!Aliased[b] && !double.IsFinite(v[a, b]))
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"{what} has {v[a, b]} at [{CoefficientNames[a]}, {CoefficientNames[b]}]: a row has hat value 1 or the weighted scores overflow."));
                }
            }
        }
    }

    private GlmInfluence InfluenceCore((double[] X, int N, int P) d)
    {
        (double[] x, int n, int p) = d;
        int[] live = LiveColumns();
        int k = live.Length;
        double[] h = HatValues(x, n, p, live);
        double[] dev = RawResiduals(GlmResidualType.Deviance), pear = RawResiduals(GlmResidualType.Pearson);
        IReadOnlyList<double> prior = _priorWeights!, ww = _workingWeights!;
        var zero = new List<int>();
        double sumDev2 = 0;
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (prior[i] == 0) { zero.Add(i); continue; }
            sumDev2 += dev[i] * dev[i];
            m++;
        }

        if (m - k - 1 <= 0) throw new InvalidOperationException($"Influence measures need more rows than coefficients plus one: {m} rows with positive weight, rank {k}.");
        double phi = Dispersion, s = Math.Sqrt(sumDev2 / (m - k));
        bool unitScale = Family.Name is "binomial" or "poisson";
        var rsd = new double[n];
        var rsp = new double[n];
        var rst = new double[n];
        var cook = new double[n];
        var sigma = new double[n];
        var dffits = new double[n];
        var covr = new double[n];
        var dfbeta = new double[n, p];
        var dfbetas = new double[n, p];
        var inf = new bool[n];
        double[] seUnscaled = new double[p];
        foreach (int j in live) seUnscaled[j] = Math.Sqrt(UnscaledCovariance[j, j]);
        int hPositive = h.Count(v => v > 0);
        double dffitLimit = 3 * Math.Sqrt((double)k / (hPositive - k)), covLimit = 3.0 * k / (hPositive - k), hatLimit = 3.0 * k / hPositive;
        var cx = new double[k];
        for (int i = 0; i < n; i++)
        {
            if (prior[i] == 0)
            {
                rsd[i] = rsp[i] = rst[i] = cook[i] = sigma[i] = dffits[i] = covr[i] = double.NaN;
                for (int j = 0; j < p; j++) dfbeta[i, j] = dfbetas[i, j] = double.NaN;
                continue;
            }

            double omh = 1 - h[i];
            rsd[i] = NanIfInfinite(dev[i] / Math.Sqrt(phi * omh));
            rsp[i] = NanIfInfinite(pear[i] / Math.Sqrt(phi * omh));
            sigma[i] = Math.Sqrt((sumDev2 - dev[i] * dev[i] / omh) / (m - k - 1));
            double r = NanIfInfinite(Math.Sign(dev[i]) * Math.Sqrt(dev[i] * dev[i] + h[i] * pear[i] * pear[i] / omh));
            rst[i] = unitScale ? r : r / sigma[i];
            cook[i] = pear[i] / omh * (pear[i] / omh) * h[i] / (phi * k);
            dffits[i] = NanIfInfinite(dev[i] * Math.Sqrt(h[i]) / (sigma[i] * omh));
            covr[i] = Math.Pow(sigma[i] / s, 2 * k) / omh;
            double f = Math.Sqrt(ww[i]) * dev[i] / omh;
            for (int a = 0; a < k; a++)
            {
                double t = 0;
                for (int b = 0; b < k; b++) t += UnscaledCovariance[live[a], live[b]] * x[(long)i * p + live[b]];
                cx[a] = t;
            }

            for (int j = 0; j < p; j++) dfbeta[i, j] = dfbetas[i, j] = double.NaN;
            bool flagged = false;
            for (int a = 0; a < k; a++)
            {
                int j = live[a];
                dfbeta[i, j] = cx[a] * f;
                dfbetas[i, j] = dfbeta[i, j] / (sigma[i] * seUnscaled[j]);
                flagged |= Math.Abs(dfbetas[i, j]) > 1;
            }

            flagged |= Math.Abs(dffits[i]) > dffitLimit || Math.Abs(1 - covr[i]) > covLimit || h[i] > hatLimit
                || (cook[i] > 0 && 1 - Distributions.FUpper(cook[i], k, hPositive - k) > 0.5);
            inf[i] = flagged;
        }

        return new GlmInfluence
        {
            Hat = h,
            StandardizedDevianceResiduals = rsd,
            StandardizedPearsonResiduals = rsp,
            StudentizedResiduals = rst,
            CooksDistance = cook,
            DfBeta = dfbeta,
            DfBetas = dfbetas,
            DfFits = dffits,
            CovarianceRatio = covr,
            LeaveOneOutSigma = sigma,
            Influential = inf,
            ZeroWeightRows = zero,
        };
    }

    private static double NanIfInfinite(double v) => double.IsInfinity(v) ? double.NaN : v;
}
