using System;
using System.Globalization;
using System.Linq;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

public sealed partial class GlmFit
{
    /// <summary>
    /// The same fit with a dispersion chosen by the user (R's <c>summary(fit, dispersion = phi)</c> and
    /// <c>predict(fit, se.fit = TRUE, dispersion = phi)</c>): covariance = phi (X^T W X)^-1, standard errors, z tests
    /// (the dispersion is now known) and prediction standard errors follow it; coefficients, deviance and residuals
    /// are unchanged.
    /// </summary>
    /// <param name="dispersion">phi, positive and finite.</param>
    /// <returns>A new fit; this one is unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dispersion"/> is not positive and finite.</exception>
    public GlmFit WithDispersion(double dispersion)
    {
        if (!(dispersion > 0) || double.IsInfinity(dispersion))
        {
            throw new ArgumentOutOfRangeException(nameof(dispersion), dispersion, string.Create(CultureInfo.InvariantCulture, $"dispersion is {dispersion}; it must be positive and finite."));
        }

        int p = CoefficientCount;
        var cov = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++) cov[a, b] = Aliased[a] || Aliased[b] ? double.NaN : UnscaledCovariance[a, b] * dispersion;
        }

        return WithZTests(cov, dispersion, userDispersion: true, userCovariance: false);
    }

    /// <summary>
    /// The same fit with its inference on a covariance given by the user, e.g. a sandwich one
    /// (<see cref="RobustCovariance(RobustCovarianceType)"/>): standard errors, z tests, <see cref="Summary"/>,
    /// <see cref="ConfidenceIntervals"/> and prediction standard errors all use it, as R users get with
    /// <c>coeftest(fit, vcov = V)</c>, <c>coefci(fit, vcov = V)</c> and the delta method on V.
    /// </summary>
    /// <param name="covariance">The coefficients' covariance [coefficients, coefficients], symmetric with a non-negative finite diagonal on the estimable coefficients.</param>
    /// <returns>A new fit; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">The size differs from the coefficients', or a variance is negative or not finite, or the matrix is not symmetric.</exception>
    public GlmFit WithCovariance(double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(covariance);
        int p = CoefficientCount;
        if (covariance.GetLength(0) != p || covariance.GetLength(1) != p)
        {
            throw new ArgumentException($"covariance is {covariance.GetLength(0)} x {covariance.GetLength(1)}; the model has {p} coefficients.", nameof(covariance));
        }

        var cov = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++)
            {
                if (Aliased[a] || Aliased[b])
                {
                    cov[a, b] = double.NaN;
                    continue;
                }

                double v = covariance[a, b];
                if (!double.IsFinite(v) || (a == b && v < 0)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"covariance[{a}, {b}] is {v}; entries must be finite and variances non-negative."), nameof(covariance));
                if (Math.Abs(v - covariance[b, a]) > 1e-10 * (Math.Abs(v) + Math.Abs(covariance[b, a])) && Math.Abs(v - covariance[b, a]) > 1e-300)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"covariance[{a}, {b}] = {v} but covariance[{b}, {a}] = {covariance[b, a]}; a covariance is symmetric."), nameof(covariance));
                }

                cov[a, b] = v;
            }
        }

        return WithZTests(cov, Dispersion, UserDispersion, userCovariance: true);
    }

    /// <summary>A copy of this fit whose inference uses <paramref name="cov"/> with z tests.</summary>
    private GlmFit WithZTests(double[,] cov, double dispersion, bool userDispersion, bool userCovariance)
    {
        int p = CoefficientCount;
        var se = new double[p];
        var stat = new double[p];
        var pv = new double[p];
        for (int a = 0; a < p; a++)
        {
            se[a] = Aliased[a] ? double.NaN : Math.Sqrt(cov[a, a]);
            stat[a] = Aliased[a] ? double.NaN : Coefficients[a] / se[a];
            pv[a] = Aliased[a] ? double.NaN : 2 * Special.NormalCdf(-Math.Abs(stat[a]));
        }

        var fit = new GlmFit
        {
            Family = Family,
            Link = Link,
            CoefficientNames = CoefficientNames,
            Coefficients = Coefficients,
            StandardErrors = se,
            Statistics = stat,
            PValues = pv,
            TestStatistic = GlmTestStatistic.Z,
            Covariance = cov,
            UnscaledCovariance = UnscaledCovariance,
            Aliased = Aliased,
            Deviance = Deviance,
            NullDeviance = NullDeviance,
            ResidualDegreesOfFreedom = ResidualDegreesOfFreedom,
            NullDegreesOfFreedom = NullDegreesOfFreedom,
            Rank = Rank,
            Dispersion = dispersion,
            Aic = Aic,
            Bic = Bic,
            LogLikelihood = LogLikelihood,
            Iterations = Iterations,
            Converged = Converged,
            Boundary = Boundary,
            HasIntercept = HasIntercept,
            Diagnostics = Diagnostics.ToList(),
            RowCount = RowCount,
            FittedValues = _fittedValues!,
            LinearPredictors = _linearPredictors!,
            PriorWeights = _priorWeights!,
            WorkingWeights = _workingWeights!,
            Response = _response!,
            SolvedByQr = SolvedByQr,
            DivergenceDirection = DivergenceDirection,
            FittingDerivative = FittingDerivative,
            FittingMean = FittingMean,
            UserDispersion = userDispersion,
            UserCovariance = userCovariance,
        };
        fit.Design = Design;
        fit.PredictionDesign = PredictionDesign;
        fit.DataFingerprint = DataFingerprint;
        return fit;
    }

    /// <summary>True when the dispersion was chosen by the user (<see cref="WithDispersion"/>).</summary>
    public bool UserDispersion { get; private init; }

    /// <summary>True when the covariance was given by the user (<see cref="WithCovariance"/>): the summary says so.</summary>
    public bool UserCovariance { get; private init; }
}
