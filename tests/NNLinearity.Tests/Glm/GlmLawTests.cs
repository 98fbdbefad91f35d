using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>Laws every IRLS fit must obey, over generated families, links and data.</summary>
public class GlmLawTests
{
    private static GlmFit Fit(GlmCase c, double[]? x = null, double[]? y = null, double epsilon = 1e-8) =>
        NNLinearity.Glm.Glm.Fit(x ?? c.X, c.Rows, c.Columns, y ?? c.Y, c.Family, c.Link, new GlmOptions { Epsilon = epsilon });

    /// <summary>
    /// Gaussian with the identity link is ordinary least squares: the coefficients equal MathNet's QR least-squares
    /// solution. IRLS takes one step from a start that does not matter, so the two agree to rounding (1e-9 relative to
    /// the largest coefficient, allowing for the conditioning of a random design).
    /// </summary>
    [Law]
    public bool GaussianIdentity_EqualsOrdinaryLeastSquares(PositiveInt seed, PositiveInt columns)
    {
        var c = new GlmCase(GlmFamily.Gaussian, new IdentityLink(), 30, 1 + columns.Get % 5, seed.Get).Simulate();
        GlmFit fit = Fit(c);
        Matrix<double> design = Matrix<double>.Build.Dense(c.Rows, c.Columns + 1, (i, j) => j == 0 ? 1.0 : c.X[i * c.Columns + j - 1]);
        Vector<double> ols = design.QR().Solve(Vector<double>.Build.DenseOfArray(c.Y));
        double scale = ols.AbsoluteMaximum();
        return Enumerable.Range(0, ols.Count).All(j => Tolerance.Close(ols[j], fit.Coefficients[j], 1e-9, 1e-9 * scale));
    }

    /// <summary>The fit does not depend on the order of the rows (only the order of summation changes: 1e-8 relative).</summary>
    [Law]
    public bool Coefficients_InvariantToRowPermutation(GlmCase c)
    {
        GlmFit a = Fit(c);
        int[] perm = Enumerable.Range(0, c.Rows).OrderBy(i => (i * 7919 + c.Seed) % c.Rows).ThenBy(i => i).ToArray();
        double[] xp = new double[c.X.Length], yp = new double[c.Rows];
        for (int i = 0; i < c.Rows; i++)
        {
            yp[i] = c.Y[perm[i]];
            Array.Copy(c.X, perm[i] * c.Columns, xp, i * c.Columns, c.Columns);
        }

        GlmFit b = Fit(c, xp, yp);
        double scale = a.Coefficients.Max(Math.Abs);
        return a.Coefficients.Zip(b.Coefficients).All(t => Tolerance.Close(t.First, t.Second, 1e-7, 1e-9 * scale));
    }

    /// <summary>
    /// Scaling column j by s scales its coefficient by 1/s and leaves the others and the deviance unchanged. Each
    /// coefficient agrees to 1e-6 relative, or to 1e-4 of its standard error: the fits stop on the deviance (relative
    /// change below 1e-12), which leaves the coefficients a distance of order sqrt(1e-12 deviance / dispersion) standard
    /// errors from the optimum, more where Fisher scoring converges only linearly (an inverse Gaussian fit with the log
    /// link, 10 and 11 iterations, drew a coefficient 2.6e-6 relative, 1e-5 of its standard error, apart). A wrong
    /// scaling moves a coefficient by whole standard errors.
    /// </summary>
    [Law]
    public bool ScalingAColumn_ScalesItsCoefficientInversely(GlmCase c, PositiveInt pick)
    {
        double s = new[] { 0.01, 0.5, 3.0, 250.0 }[pick.Get % 4];
        int j = pick.Get % c.Columns;
        double[] xs = (double[])c.X.Clone();
        for (int i = 0; i < c.Rows; i++) xs[i * c.Columns + j] *= s;
        GlmFit a = Fit(c, epsilon: 1e-12), b = Fit(c, xs, epsilon: 1e-12);
        double scale = a.Coefficients.Max(Math.Abs);
        for (int k = 0; k < a.Coefficients.Count; k++)
        {
            double expected = k == j + 1 ? a.Coefficients[k] / s : a.Coefficients[k];
            double floor = 1e-8 * (k == j + 1 ? scale / s : scale);
            bool withinStandardError = Math.Abs(expected - b.Coefficients[k]) <= 1e-4 * b.StandardErrors[k];
            if (!Tolerance.Close(expected, b.Coefficients[k], 1e-6, floor) && !withinStandardError) return false;
        }

        return Tolerance.Close(a.Deviance, b.Deviance, 1e-9, 1e-12);
    }

    /// <summary>
    /// At convergence the score X^T W (z - eta) = X^T [w (y - mu) mu' / V(mu)] vanishes: each component is below 1e-5 of
    /// the sum of the absolute values of its terms. With epsilon 1e-12 the last deviance change bounds the squared score
    /// (in the Fisher metric), so the score is O(sqrt(1e-12)) = O(1e-6) relative; Fisher scoring with a non-canonical
    /// link converges only linearly (17 iterations for an inverse Gaussian with log link), which leaves a constant of a
    /// few on top: 1e-5. A wrong weight or working response leaves scores near 1e-2.
    /// </summary>
    [Law]
    public bool Score_VanishesAtConvergence(GlmCase c)
    {
        GlmFit fit = Fit(c, epsilon: 1e-12);
        if (!fit.Converged) return true; // a diagnostic case, covered elsewhere
        for (int j = 0; j <= c.Columns; j++)
        {
            double score = 0, size = 0;
            for (int i = 0; i < c.Rows; i++)
            {
                double xij = j == 0 ? 1.0 : c.X[i * c.Columns + j - 1];
                double mu = fit.FittedValues[i];
                double term = xij * (c.Y[i] - mu) * c.Link.InverseDerivative(fit.LinearPredictors[i]) / c.Family.Variance(mu);
                score += term;
                size += Math.Abs(term);
            }

            if (Math.Abs(score) > 1e-5 * size + 1e-12) return false;
        }

        return true;
    }

    /// <summary>
    /// The converged fit is a minimum of the deviance: moving any coefficient by +-1e-3 of its standard error never
    /// lowers the deviance by more than rounding (1e-10 relative). IRLS converges only linearly for non-canonical
    /// links (binomial/cloglog, 76 x 4, seed 231042 takes 50 iterations to 1e-12, as in R's glm.fit), so the fit may
    /// take 200; one that still reports no convergence is not a minimum and is not judged.
    /// </summary>
    [Law]
    public bool Perturbations_NeverLowerTheDeviance(GlmCase c)
    {
        GlmFit fit = NNLinearity.Glm.Glm.Fit(c.X, c.Rows, c.Columns, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = 1e-12, MaxIterations = 200 });
        if (!fit.Converged) return true;
        double best = Deviance(c, fit.Coefficients.ToArray());
        for (int j = 0; j < fit.Coefficients.Count; j++)
        {
            foreach (double sign in new[] { -1.0, 1.0 })
            {
                double[] b = fit.Coefficients.ToArray();
                b[j] += sign * 1e-3 * fit.StandardErrors[j];
                double d = Deviance(c, b);
                if (d < best - 1e-10 * Math.Abs(best) - 1e-12) return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Skipping the Gram of a pass expected to be the last never changes the fit: bit-identical with the speculation
    /// on and off, for convergence tolerances from 1e-2 to 1e-12 (loose ones make the speculation miss and repeat the
    /// pass).
    /// </summary>
    [Law]
    public bool SpeculativeFinalPass_NeverChangesTheFit(GlmCase c, PositiveInt pick)
    {
        double epsilon = Math.Pow(10, -2 - pick.Get % 11);
        GlmFit a = NNLinearity.Glm.Glm.Fit(c.X, c.Rows, c.Columns, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = epsilon });
        GlmFit b = NNLinearity.Glm.Glm.Fit(c.X, c.Rows, c.Columns, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = epsilon, SpeculativeFinalPass = false });
        return a.Coefficients.SequenceEqual(b.Coefficients) && a.StandardErrors.SequenceEqual(b.StandardErrors)
            && a.Deviance.Equals(b.Deviance) && a.Iterations == b.Iterations && a.WorkingWeights.SequenceEqual(b.WorkingWeights);
    }

    /// <summary>The deviance at arbitrary coefficients, computed directly: sum of the family's deviance contributions.</summary>
    private static double Deviance(GlmCase c, double[] beta)
    {
        double dev = 0;
        for (int i = 0; i < c.Rows; i++)
        {
            double eta = beta[0];
            for (int j = 0; j < c.Columns; j++) eta += beta[j + 1] * c.X[i * c.Columns + j];
            double mu = c.Link.Inverse(eta);
            if (!c.Family.IsValidMean(mu) || !c.Link.IsValidLinearPredictor(eta)) return double.PositiveInfinity;
            dev += c.Family.Deviance(c.Y[i], mu, 1.0);
        }

        return dev;
    }
}
