# FlinkLite as one container: builds the self-contained jar with Maven, runs it on a JRE.
#   docker build -t flinklite .
#   docker run --rm -p 1234:1234 flinklite run --bootstrap-servers <kafka:9092>
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -pl flinklite-app -am package

FROM eclipse-temurin:17-jre
WORKDIR /opt/flinklite
COPY --from=build /src/flinklite-app/target/flinklite.jar /opt/flinklite/flinklite.jar
# /metrics, /health/live and /health/ready
EXPOSE 1234
ENTRYPOINT ["java", "-jar", "/opt/flinklite/flinklite.jar"]
CMD ["--help"]
