using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>How a linear hypothesis L b = c is tested.</summary>
public enum HypothesisTest
{
    /// <summary>Wald: W = (L b - c)^T (L V L^T)^-1 (L b - c), chi-square with q = rows of L degrees of freedom (car::linearHypothesis, test = "Chisq").</summary>
    Wald,

    /// <summary>Wald as an F test: F = W / q on (q, residual df) degrees of freedom (car::linearHypothesis, test = "F").</summary>
    WaldF,

    /// <summary>Likelihood ratio: the fit under L b = c against this one, (D0 - D) / phi, chi-square with q degrees of freedom (anova(restricted, fit, test = "Chisq")).</summary>
    LikelihoodRatio,
}

/// <summary>The outcome of a test of the linear hypothesis L b = c.</summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class LinearHypothesisResult
{
    internal LinearHypothesisResult(HypothesisTest test, double statistic, int df, double residualDf, double pValue, double? restrictedDeviance)
    {
        Test = test;
        Statistic = statistic;
        DegreesOfFreedom = df;
        ResidualDegreesOfFreedom = residualDf;
        PValue = pValue;
        RestrictedDeviance = restrictedDeviance;
    }

    /// <summary>The test made.</summary>
    public HypothesisTest Test { get; }

    /// <summary>The chi-square statistic (Wald, likelihood ratio) or the F statistic.</summary>
    public double Statistic { get; }

    /// <summary>q: the number of restrictions (rows of L).</summary>
    public int DegreesOfFreedom { get; }

    /// <summary>The denominator degrees of freedom of the F test (the fit's residual df); infinity for chi-square tests.</summary>
    public double ResidualDegreesOfFreedom { get; }

    /// <summary>The upper-tail probability of the statistic.</summary>
    public double PValue { get; }

    /// <summary>The deviance of the fit under the hypothesis (likelihood-ratio tests only).</summary>
    public double? RestrictedDeviance { get; }

    /// <summary>One line: the test, statistic, degrees of freedom and p-value.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Test == HypothesisTest.WaldF
        ? string.Create(CultureInfo.InvariantCulture, $"F test of L b = c: F = {Statistic:G6} on {DegreesOfFreedom} and {ResidualDegreesOfFreedom} df, p = {PValue:G4}")
        : string.Create(CultureInfo.InvariantCulture, $"{(Test == HypothesisTest.Wald ? "Wald" : "Likelihood-ratio")} test of L b = c: chi-square = {Statistic:G6} on {DegreesOfFreedom} df, p = {PValue:G4}");
}

public sealed partial class GlmFit
{
    /// <summary>
    /// Tests L b = c by Wald (car::linearHypothesis) with this fit's covariance or another (a robust one), or by the
    /// likelihood ratio against the fit refitted under the hypothesis (a fit from a formula; for a matrix fit use the
    /// overload taking x).
    /// </summary>
    /// <param name="contrasts">L: one row per restriction, one column per coefficient (aliased coefficients' columns must be 0).</param>
    /// <param name="rightHandSide">c (zeros when null).</param>
    /// <param name="test">Wald (default), WaldF or LikelihoodRatio.</param>
    /// <param name="covariance">The covariance for Wald tests (this fit's when null), e.g. <see cref="RobustCovariance(RobustCovarianceType)"/>.</param>
    /// <returns>The statistic, degrees of freedom and p-value.</returns>
    /// <exception cref="ArgumentException">A size does not match, a value is not finite, the rows of L are linearly dependent, L involves an aliased coefficient, or a covariance is given for a likelihood-ratio test.</exception>
    /// <exception cref="InvalidOperationException">A likelihood-ratio test of a fit made from a matrix, or without per-row results.</exception>
    public LinearHypothesisResult TestLinearHypothesis(double[,] contrasts, double[]? rightHandSide = null, HypothesisTest test = HypothesisTest.Wald, double[,]? covariance = null)
        => LinearHypothesisCore(contrasts, rightHandSide, test, covariance, null);

    /// <summary>The test of L b = c (see <see cref="TestLinearHypothesis(double[,], double[], HypothesisTest, double[,])"/>) for a fit made from a matrix.</summary>
    /// <param name="x">The predictors the model was fitted to, row-major [rows, columns] without the intercept column (used by the likelihood-ratio test).</param>
    /// <param name="contrasts">L.</param>
    /// <param name="rightHandSide">c (zeros when null).</param>
    /// <param name="test">The test.</param>
    /// <returns>The statistic, degrees of freedom and p-value.</returns>
    /// <exception cref="ArgumentException">As the formula overload; also when <paramref name="x"/> is not the fitted design.</exception>
    public LinearHypothesisResult TestLinearHypothesis(double[] x, double[,] contrasts, double[]? rightHandSide = null, HypothesisTest test = HypothesisTest.LikelihoodRatio)
    {
        ArgumentNullException.ThrowIfNull(x);
        return LinearHypothesisCore(contrasts, rightHandSide, test, null, x);
    }

    private LinearHypothesisResult LinearHypothesisCore(double[,] contrasts, double[]? rightHandSide, HypothesisTest test, double[,]? covariance, double[]? x)
    {
        ArgumentNullException.ThrowIfNull(contrasts);
        if (!Enum.IsDefined(test)) throw new ArgumentOutOfRangeException(nameof(test), test, $"test {(int)test} is not one of {string.Join(", ", Enum.GetNames<HypothesisTest>())}.");
        int q = contrasts.GetLength(0), p = CoefficientCount;
        if (q == 0) throw new ArgumentException("contrasts has no rows: a hypothesis needs at least one restriction.", nameof(contrasts));
        if (contrasts.GetLength(1) != p) throw new ArgumentException($"contrasts has {contrasts.GetLength(1)} columns; the model has {p} coefficients.", nameof(contrasts));
        double[] c = rightHandSide ?? new double[q];
        if (c.Length != q) throw new ArgumentException($"rightHandSide has {c.Length} values; contrasts has {q} rows.", nameof(rightHandSide));
        for (int r = 0; r < q; r++)
        {
            if (!double.IsFinite(c[r])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"rightHandSide[{r}] is {c[r]}; it must be finite."), nameof(rightHandSide));
            for (int j = 0; j < p; j++)
            {
                double value = contrasts[r, j];
                if (!double.IsFinite(value)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"contrasts[{r}, {j}] is {value}; it must be finite."), nameof(contrasts));
                if (Aliased[j] && value != 0) throw new ArgumentException($"contrasts[{r}, {j}] involves {CoefficientNames[j]}, which is aliased (not estimable).", nameof(contrasts));
            }
        }

        int[] live = LiveColumns();
        Matrix<double> l = Matrix<double>.Build.Dense(q, live.Length, (r, a) => contrasts[r, live[a]]);
        if (l.Rank() < q) throw new ArgumentException($"The {q} rows of contrasts are linearly dependent; give independent restrictions.", nameof(contrasts));
        if (test == HypothesisTest.LikelihoodRatio)
        {
            if (covariance is not null) throw new ArgumentException("A likelihood-ratio test uses no covariance; pass null or choose a Wald test.", nameof(covariance));
            return LikelihoodRatioCore(l, live, c, x);
        }

        double[,] v0 = covariance ?? Covariance;
        if (v0.GetLength(0) != p || v0.GetLength(1) != p) throw new ArgumentException($"covariance is {v0.GetLength(0)} x {v0.GetLength(1)}; the model has {p} coefficients.", nameof(covariance));
        Matrix<double> v = Matrix<double>.Build.Dense(live.Length, live.Length, (a, b) => v0[live[a], live[b]]);
        Vector<double> d = l * Vector<double>.Build.Dense(live.Length, a => Coefficients[live[a]]) - Vector<double>.Build.DenseOfArray(c);
        Matrix<double> m = l * v * l.Transpose();
        var chol = m.Cholesky();
        double w = d.DotProduct(chol.Solve(d));
        if (!double.IsFinite(w) || w < 0) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"L V L^T is not positive definite (the statistic is {w}); check the covariance."), nameof(covariance));
        if (test == HypothesisTest.Wald) return new LinearHypothesisResult(test, w, q, double.PositiveInfinity, Distributions.ChiSquareUpper(w, q), null);
        double f = w / q;
        return new LinearHypothesisResult(test, f, q, ResidualDegreesOfFreedom, Distributions.FUpper(f, q, ResidualDegreesOfFreedom), null);
    }

    /// <summary>
    /// b = b0 + N g with b0 = L^T (L L^T)^-1 c and N a basis of L's null space: the restricted model is the GLM on X N
    /// with offset X b0 (plus the fit's own), refitted by IRLS; the statistic is (D0 - D) / phi.
    /// </summary>
    private LinearHypothesisResult LikelihoodRatioCore(Matrix<double> l, int[] live, double[] c, double[]? xGiven)
    {
        (double[] x, int n, int p) = FittedDesign(xGiven, "x");
        int k = live.Length, q = l.RowCount;
        Vector<double> b0 = l.Transpose() * (l * l.Transpose()).Solve(Vector<double>.Build.DenseOfArray(c));
        Matrix<double> nullSpace = NullSpace(l);
        int free = nullSpace.ColumnCount;
        IReadOnlyList<double> eta = _linearPredictors!, prior = _priorWeights!, y = _response!;
        var offset = new double[n];
        var z = new double[(long)n * free];
        for (int i = 0; i < n; i++)
        {
            double xb = 0, xb0 = 0;
            for (int a = 0; a < k; a++)
            {
                double xi = x[(long)i * p + live[a]];
                xb += xi * Coefficients[live[a]];
                xb0 += xi * b0[a];
            }

            offset[i] = eta[i] - xb + xb0; // the fit's own offset (eta - X b) plus X b0
            for (int g = 0; g < free; g++)
            {
                double s = 0;
                for (int a = 0; a < k; a++) s += x[(long)i * p + live[a]] * nullSpace[a, g];
                z[(long)i * free + g] = s;
            }
        }

        double d0;
        if (free == 0)
        {
            d0 = 0;
            for (int i = 0; i < n; i++) d0 += Family.Deviance(y[i], FittingMean(offset[i]), prior[i]);
        }
        else
        {
            GlmFit restricted = Glm.Fit(z, n, free, y, Family, Link, new GlmOptions
            {
                Intercept = false,
                Offset = offset,
                Weights = prior,
                StartingMeans = _fittedValues,
                Epsilon = 1e-10,
                MaxIterations = 100,
                KeepRowResults = false,
            });
            if (!restricted.Converged) throw new GlmFitException($"The fit under the hypothesis did not converge in {restricted.Iterations} iterations; the likelihood-ratio statistic would be unreliable.");
            d0 = restricted.Deviance;
        }

        double phi = Family.EstimatesDispersion ? Dispersion : 1.0;
        double lr = Math.Max(0, d0 - Deviance) / phi;
        return new LinearHypothesisResult(HypothesisTest.LikelihoodRatio, lr, q, double.PositiveInfinity, Distributions.ChiSquareUpper(lr, q), d0);
    }

    /// <summary>An orthonormal basis of the null space of L (q x k, full row rank), from the SVD.</summary>
    private static Matrix<double> NullSpace(Matrix<double> l)
    {
        int q = l.RowCount, k = l.ColumnCount;
        var svd = l.Svd(computeVectors: true);
        Matrix<double> vt = svd.VT; // k x k
        return Matrix<double>.Build.Dense(k, k - q, (a, g) => vt[q + g, a]);
    }
}
