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
        var se = new double[p];
        var stat = new double[p];
        var pv = new double[p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++) cov[a, b] = Aliased[a] || Aliased[b] ? double.NaN : UnscaledCovariance[a, b] * dispersion;
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
            UserDispersion = true,
        };
        fit.Design = Design;
        fit.DataFingerprint = DataFingerprint;
        return fit;
    }

    /// <summary>True when the dispersion was chosen by the user (<see cref="WithDispersion"/>).</summary>
    public bool UserDispersion { get; private init; }
}
